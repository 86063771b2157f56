"""The tracked-link redirect. Kept apart from the signed-in views: no session, no user, no
template on the fast path; it must stay fast under load (see bench/advocacy_redirect.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_safe

from chorus.advocacy.tracking import resolve_click
from chorus.common.clientip import client_ip

MAX_CODE = 16


@require_safe
def tracked_link(request: HttpRequest, code: str) -> HttpResponse:
    """302 to the shared page with its UTM parameters; 404 page for unknown codes."""
    target = None
    if len(code) <= MAX_CODE and code.isalnum():
        # HEAD requests (link checkers) redirect too but are not clicks.
        target = resolve_click(
            code=code,
            ip=client_ip(request),
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

