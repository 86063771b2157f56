"""First run and suspended organizations, enforced once for every request.

- Until an organization exists, an anonymous visit to the home or login page (where every
  other page sends anonymous visitors) redirects to the setup wizard. Once one exists the
  answer is cached for the process: an installation never goes back to empty.
- A signed-in member of a suspended organization is signed out and shown why; the API
  answers 403 with the same message (bearer tokens are refused in `chorus.people.api`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from chorus.common.middleware import PROBE_PATHS

# Every page that needs a session sends an anonymous visitor to the login page, so sending
# these two to the wizard covers them all, while public links (/l/, /a/, /r/), health checks,
# static files and the API answer as usual.
FIRST_RUN_PATHS = {"/", "/login/"}


class OrganizationAccessMiddleware:
    _set_up = False

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def _installation_is_set_up(self) -> bool:
        if not OrganizationAccessMiddleware._set_up:
            from chorus.administration.services import installation_is_set_up

            OrganizationAccessMiddleware._set_up = installation_is_set_up()
        return OrganizationAccessMiddleware._set_up

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path in PROBE_PATHS:
            # Load balancers and Prometheus poll these often: they must not touch the session
            # or the database (healthz is "the process is up"; readyz checks on its own).
            return self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        # A signed-in account proves the installation has been used; only anonymous visits
        # pay for the check, and only until the answer is yes.
        if not signed_in and path in FIRST_RUN_PATHS and not self._installation_is_set_up():
            return redirect("administration-public:setup")
        if signed_in:
            org = getattr(user, "organization", None)
            if org is not None and org.suspended_at is not None:
                message = org.suspension_message
                logout(request)
                if path.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=403)
                return render(
                    request, "administration/suspended.html", {"message": message}, status=403
                )
        return self.get_response(request)
