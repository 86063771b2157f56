"""The JSON API at /api/v1/ (OpenAPI docs at /api/v1/docs).

Authentication: a personal bearer token, or the browser session (with CSRF). Domain errors
map to HTTP here, in one place, as `{"detail": message, "field": field}`.
"""

from __future__ import annotations

from importlib.util import find_spec
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.module_loading import import_string
from ninja import NinjaAPI
from ninja.security import SessionAuth

from chorus.common.api import declare_error_responses
from chorus.common.apidocs import VendoredSwagger
from chorus.common.errors import DomainError
from chorus.common.faults import DEPENDENCY_ERRORS, api_unavailable
from chorus.people.api import BearerToken
from chorus.people.api import router as people_router


class ChorusAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI schema declares the error bodies every route really returns
    (chorus.common.api.declare_error_responses)."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        return declare_error_responses(super().get_openapi_schema(**kwargs))


api = ChorusAPI(
    title="Chorus API",
    version="1",
    description="Policies, screening, onboarding, advocacy, reports and incidents. "
    "Authenticate with `Authorization: Bearer <token>` (create one on your account page).",
    urls_namespace="api",
    auth=[BearerToken(), SessionAuth()],
    docs_url="/docs",
    # Swagger UI from static/vendor/ (the CDN version is blocked by our CSP).
    docs=VendoredSwagger(),
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    body: dict[str, object] = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status_code)


# A body over DATA_UPLOAD_MAX_MEMORY_SIZE (or a form with too many fields) is refused with the
# limit, as JSON, instead of a 500.
@api.exception_handler(RequestDataTooBig)
def body_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    size = f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit:,} bytes"
    return api.create_response(
        request,
        {
            "detail": f"The request body is larger than the {size} limit "
            f"(DATA_UPLOAD_MAX_MEMORY_SIZE = {limit:,} bytes). Send less data per request, "
            "or split a batch into smaller ones."
        },
        status=413,
    )


@api.exception_handler(MultiPartParserError)
@api.exception_handler(UnreadablePostError)
def unreadable_body(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": f"The request body could not be read ({exc}). Send it as JSON, or as "
            "multipart/form-data with a boundary in the Content-Type header."
        },
        status=400,
    )


@api.exception_handler(TooManyFieldsSent)
def too_many_fields(request: HttpRequest, exc: Exception) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    return api.create_response(
        request,
        {"detail": f"The form has more than {limit:,} fields (DATA_UPLOAD_MAX_NUMBER_FIELDS)."},
        status=413,
    )


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
    ("/admin", "chorus.administration.api.router"),
    ("/notifications", "chorus.notifications.api.router"),
    ("/identity", "chorus.identity.api.router"),
    ("/provisioning", "chorus.provisioning.api.router"),
    ("/integrations", "chorus.integrations.api.router"),
]
for prefix, dotted in API_ROUTERS:
    module = dotted.rsplit(".", 2)[0]
    if module in settings.INSTALLED_APPS and find_spec(dotted.rsplit(".", 1)[0]):
        api.add_router(prefix, import_string(dotted))
