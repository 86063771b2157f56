"""Unauthenticated views: one-click unsubscribe (RFC 8058), web app manifest, service worker."""

from __future__ import annotations

import hashlib
import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from chorus.notifications.channels import channel_label, unsubscribe_read
from chorus.notifications.kinds import get_kind

# The employee pages the installed app opens on and keeps for offline use.
APP_PAGES = ["/advocacy/", "/check/", "/reports/new/", "/onboarding/me/"]


@csrf_exempt  # the signed token is the credential; mail clients POST without a CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link stops and a button; POST stops it. A mail client's one-click
    POST (`List-Unsubscribe=One-Click`) and the button both land here. GET never changes
    anything: link scanners in mail filters follow every link."""
    from chorus.notifications.services import unsubscribe as unsubscribe_service
    from chorus.people.models import User

    data = unsubscribe_read(token)
    user = User.objects.filter(pk=data["u"], is_active=True).first() if data else None
    try:
        kind = get_kind(str(data["k"])) if data else None
    except ValueError:
        kind = None
    if user is None or kind is None or data is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    context = {"kind": kind, "channel": channel_label(str(data["c"])), "token": token}
    if request.method == "POST":
        done = unsubscribe_service(user=user, kind=kind.key, channel=str(data["c"]))
        context["done"] = done
        context["mandatory"] = not done
    return render(request, "notifications/unsubscribe.html", context)


@cache_control(max_age=3600, public=True)
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: installs the employee pages as an app on a phone."""
    data = {
        "name": "Chorus",
        "short_name": "Chorus",
        "description": "Share, check a post, report and attest, from your phone.",
        "id": "/",
        "start_url": "/advocacy/?source=app",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f5f2",
        "theme_color": "#2b4c7e",
        "icons": [
            {"src": static("notifications/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("notifications/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("notifications/icon-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
        "shortcuts": [
            {"name": "Content hub", "url": "/advocacy/"},
            {"name": "Check my post", "url": "/check/"},
            {"name": "Report something", "url": "/reports/new/"},
            {"name": "My attestations", "url": "/onboarding/me/"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"indent": 1})
    response["Content-Type"] = "application/manifest+json"
    return response


def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the root so its scope is the whole site. Never cached
    by HTTP: browsers must see a new version as soon as it is deployed."""
    shell = [
        "/offline/",
        static("css/chorus.css"),
        static("js/chorus.js"),
        static("vendor/htmx/htmx.min.js"),
        static("img/logo.svg"),
        static("img/favicon.svg"),
        static("notifications/push.js"),
        static("notifications/icon-192.png"),
    ]
    shell_json = json.dumps(shell)
    # Hashed static names change with every release, so does the cache name.
    version = hashlib.sha256(shell_json.encode()).hexdigest()[:12]
    body = render(
        request, "notifications/sw.js",
        {"shell_json": shell_json, "pages_json": json.dumps(APP_PAGES), "version": version},
        content_type="text/javascript; charset=utf-8",
    )  # fmt: skip
    body["Service-Worker-Allowed"] = "/"
    body["Cache-Control"] = "no-cache"
    return body


def offline(request: HttpRequest) -> HttpResponse:
    """What the installed app shows for a page it has not kept, without a network."""
    return render(request, "notifications/offline.html")
