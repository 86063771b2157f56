"""The tracked-link redirect. Kept apart from the signed-in views: no session, no user, no
template on the fast path; it must stay fast under load (see bench/advocacy_redirect.py)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_safe

from chorus.advocacy.tracking import resolve_click

MAX_CODE = 16


@require_safe
def tracked_link(request: HttpRequest, code: str) -> HttpResponse:
    """302 to the shared page with its UTM parameters; 404 page for unknown codes."""
    target = None
    if len(code) <= MAX_CODE and code.isalnum():
        # HEAD requests (link checkers) redirect too but are not clicks.
        target = resolve_click(
            code=code,
            ip=_client_ip(request),
            user_agent=request.headers.get("User-Agent", "")
            if request.method == "GET" else "",
            purpose=request.headers.get("Sec-Purpose", "") or request.headers.get("Purpose", ""),
        )
    if target is None:
        return render(request, "advocacy/link_not_found.html", status=404)
    response = HttpResponseRedirect(target)
    # Every visit must reach us to be counted, and the target must not leak to caches.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _client_ip(request: HttpRequest) -> str:
    # Behind the documented reverse proxy (BEHIND_PROXY=true) the peer is the proxy itself.
    # The proxy appends the address it saw to X-Forwarded-For: take that last entry. The
    # first one is whatever the client sent, so trusting it would let a script be anyone.
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
