{% autoescape off %}// Chorus service worker: keeps the app shell and the employee pages for offline use, and
// shows Web Push notifications. Served from /sw.js (scope "/"), never cached by HTTP.
const VERSION = "{{ version }}";
const SHELL = `chorus-shell-${VERSION}`;
const PAGES = "chorus-pages";
const SHELL_URLS = {{ shell_json }};
const APP_PAGES = {{ pages_json }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(SHELL_URLS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("chorus-shell-") && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function isAppPage(url) {
  return APP_PAGES.some((page) => url.pathname === page);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Signed out: forget the pages kept for this person (shared phones).
    if (url.pathname === "/login/") {
      event.waitUntil(caches.delete(PAGES));
    }
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && !response.redirected && isAppPage(url)) {
            const copy = response.clone();
            caches.open(PAGES).then((cache) => cache.put(url.pathname, copy));
          }
          return response;
        })
        .catch(() =>
          caches.match(url.pathname, { cacheName: PAGES })
            .then((hit) => hit || caches.match("/offline/", { cacheName: SHELL }))
        )
    );
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { title: event.data ? event.data.text() : "Chorus" };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || "Chorus", {
      body: data.body || "",
      icon: SHELL_URLS[SHELL_URLS.length - 1],
      tag: data.tag || undefined,
      data: { url: data.url || "/notifications/" },
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data.url, self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (client.url === target && "focus" in client) return client.focus();
      }
      return self.clients.openWindow(target);
    })
  );
});
{% endautoescape %}
