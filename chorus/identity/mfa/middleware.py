"""Sends a signed-in session that has not passed its second factor to the verify page (the
account has a factor) or to the enrollment page (the organization requires one and the grace
period is over). Runs after authentication and after the suspended-organization check.

Not gated: health probes, static files, the login and logout pages, single sign-on endpoints
(`/sso/`), and the second-factor pages themselves (only the ones the session's state needs:
a session that must verify cannot reach the enrollment pages, or a stolen password could add
its own factor). The API: a request with an `Authorization` header (bearer token) is not a
session and is never gated, since API tokens are created from an account page that a complete
session reached; a request that relies on the session cookie gets a JSON 401 until the
session has passed its factor.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from chorus.common.middleware import PROBE_PATHS
from chorus.identity.mfa.gate import gate_for_request, session_satisfied
from chorus.identity.mfa.services import Gate

NEXT_SESSION_KEY = "identity_mfa_next"
_ALWAYS_OPEN = ("/login/", "/logout/", "/sso/", "/favicon.ico")
VERIFY_PREFIX = "/identity/mfa/verify/"
ENROLL_PREFIX = "/identity/mfa/setup/"


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if (
            path in PROBE_PATHS
            or path.startswith(self.static_prefix)
            or path.startswith(_ALWAYS_OPEN)
        ):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or session_satisfied(request):
            return self.get_response(request)
        if path.startswith("/api/") and request.headers.get("Authorization"):
            return self.get_response(request)
        gate = gate_for_request(request)
        if not gate.blocks:
            return self.get_response(request)
        target = VERIFY_PREFIX if gate.state == Gate.VERIFY else ENROLL_PREFIX
        if path.startswith(target):
            return self.get_response(request)
        if path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": "Finish signing in first: this session has not passed its "
                    f"second factor ({request.build_absolute_uri(target)}). API clients use a "
                    "bearer token instead."
                },
                status=401,
            )
        if request.method == "GET" and not getattr(request, "htmx", False):
            request.session[NEXT_SESSION_KEY] = request.get_full_path()
        url = reverse("identity:mfa-verify" if gate.state == Gate.VERIFY else "identity:mfa-setup")
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
