"""Public entry points: the one-click unsubscribe link of e-mails (RFC 8058), and the web app
manifest and service worker, which must sit at the root so their scope covers every page."""

from django.urls import include, path

from chorus.notifications import public_views

public_patterns = (
    [
        path("n/unsubscribe/<str:token>", public_views.unsubscribe, name="unsubscribe"),
        path("manifest.webmanifest", public_views.manifest, name="manifest"),
        path("sw.js", public_views.service_worker, name="service-worker"),
        path("offline/", public_views.offline, name="offline"),
    ],
    "notifications-public",
)
urlpatterns = [path("", include(public_patterns))]
