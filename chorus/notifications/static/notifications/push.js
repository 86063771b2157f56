// Installable app and Web Push: registers the service worker (scope "/") on every page, and
// on the notification settings page subscribes this device with the server's VAPID key.
(function () {
  if (!("serviceWorker" in navigator)) return;
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  });

  function keyBytes(base64url) {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(padded);
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-push-subscribe]");
    if (!button) return;
    const box = button.closest("[data-push-key]");
    const status = box.querySelector("[data-push-status]");
    if (!("PushManager" in window)) {
      status.textContent = "This browser cannot receive pushes. On iPhone, add Chorus to the home screen first.";
      return;
    }
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        status.textContent = "Notifications are blocked for this site in the browser settings.";
        return;
      }
      const registration = await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(box.dataset.pushKey),
      });
      const response = await fetch(box.dataset.pushApi, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(subscription.toJSON()),
      });
      status.textContent = response.ok ? "Push is on for this device." : "Could not save this device; try again.";
    } catch (error) {
      status.textContent = "Could not turn on push here: " + error.message;
    }
  });
})();
