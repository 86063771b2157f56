"""Public pages: the handle answer for Bluesky, the profile page Mastodon verifies, and the
summary a leaver opens from their e-mail (they can no longer sign in)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from chorus.common.errors import NotFound
from chorus.provisioning.services import did_for_host, offboarding_for_token, profile_for_slug


@require_GET
def atproto_did(request: HttpRequest) -> HttpResponse:
    """`https://<handle>/.well-known/atproto-did`: the DID of the live handle named by the
    request's Host, as plain text; 404 for any other host or once revoked."""
    did = did_for_host(request.get_host())
    if did is None:
        return HttpResponse("No verified handle here.\n", status=404,
                            content_type="text/plain; charset=utf-8")
    response = HttpResponse(did, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-cache"  # a revocation must be seen at once
    return response


@require_GET
def profile(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        record, links = profile_for_slug(slug)
    except NotFound:
        return render(request, "provisioning/profile_gone.html", status=404)
    response = render(request, "provisioning/profile.html",
                      {"record": record, "links": links})
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offboarding_summary(request: HttpRequest, token: str) -> HttpResponse:
    try:
        record = offboarding_for_token(token)
    except NotFound as exc:
        return render(request, "provisioning/summary_gone.html", {"message": exc.message},
                      status=404)
    response = render(request, "provisioning/offboarding_summary.html",
                      {"record": record, "public": True})
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
