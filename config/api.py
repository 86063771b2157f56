"""The JSON API at /api/v1/ (OpenAPI docs at /api/v1/docs).

Authentication: a personal bearer token, or the browser session (with CSRF). Domain errors
map to HTTP here, in one place, as `{"detail": message, "field": field}`.
"""

from __future__ import annotations

from importlib.util import find_spec

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from ninja import NinjaAPI
from ninja.security import SessionAuth

from chorus.common.errors import DomainError
from chorus.common.faults import DEPENDENCY_ERRORS, api_unavailable
from chorus.people.api import BearerToken
from chorus.people.api import router as people_router

api = NinjaAPI(
    title="Chorus API",
    version="1",
    description="Policies, screening, onboarding, advocacy, reports and incidents. "
    "Authenticate with `Authorization: Bearer <token>` (create one on your account page).",
    urls_namespace="api",
    auth=[BearerToken(), SessionAuth()],
    docs_url="/docs",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    body: dict[str, object] = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status_code)


# A database or Redis outage answers 503 with Retry-After, not ninja's 500 (chorus.common.faults).
for _exc_class in DEPENDENCY_ERRORS:
    api.add_exception_handler(_exc_class, api_unavailable)  # type: ignore[arg-type,type-var]

api.add_router("/", people_router)

# Each domain app contributes `chorus.<app>.api.router`, mounted under its own prefix.
API_ROUTERS = [
    ("/policies", "chorus.policy.api.router"),
    ("/check", "chorus.checks.api.router"),
    ("/people", "chorus.onboarding.api.people_router"),
    ("/onboarding", "chorus.onboarding.api.router"),
    ("/advocacy", "chorus.advocacy.api.router"),
    ("/reports", "chorus.reports.api.router"),
    ("/incidents", "chorus.incidents.api.router"),
    ("/monitoring", "chorus.monitoring.api.router"),
]
for prefix, dotted in API_ROUTERS:
    module = dotted.rsplit(".", 2)[0]
    if module in settings.INSTALLED_APPS and find_spec(dotted.rsplit(".", 1)[0]):
        api.add_router(prefix, import_string(dotted))
