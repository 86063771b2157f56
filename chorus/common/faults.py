"""A dependency that is down gives a clear 503, never a 500 with a traceback.

`DependencyUnavailableMiddleware` (first in `MIDDLEWARE`) turns a database error
(`OperationalError`, `InterfaceError`: server restarting, unreachable, connection dropped) or a
Redis error (`ConnectionError`, `TimeoutError`: task queue or cache unreachable) into a 503 with
`Retry-After`: a plain HTML page for pages, `{"detail": ..., "dependency": ...}` for `/api/`.
Errors raised by views reach `process_exception`; errors raised by other middleware (saving a
session, for example) become Django's 500 first and are swapped for the 503 on the way out.
`config/api.py` registers `api_unavailable` because django-ninja handles its own exceptions.

The 503 page is rendered without a request context, so it needs neither the database nor the
session. Nothing needs restarting when the dependency comes back: Django drops a connection
that failed at the end of the request, and redis-py reconnects on the next command.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

import redis.exceptions
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from chorus.common.errors import StorageFull

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
DATABASE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
REDIS_ERRORS: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
DEPENDENCY_ERRORS = DATABASE_ERRORS + REDIS_ERRORS

_MESSAGES = {
    "database": (
        "Chorus cannot reach its database right now, so this page cannot be shown. The service "
        "usually comes back by itself within a minute (a restart or maintenance)."
    ),
    "redis": (
        "Chorus cannot reach its Redis server (task queue and cache) right now. The service "
        "usually comes back by itself within a minute (a restart or maintenance)."
    ),
}
_ADVICE = (
    "Try again in a minute. If you were saving something, check afterwards that it was saved "
    "and send it again if it is missing. If this lasts, tell your administrator."
)


def dependency_down(exc: BaseException | None) -> str | None:
    """'database' or 'redis' when `exc` (or what caused it) says that dependency is down."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DATABASE_ERRORS):
            return "database"
        if isinstance(exc, REDIS_ERRORS):
            return "redis"
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def unavailable_response(request: HttpRequest, dependency: str) -> HttpResponse:
    """The 503 answer: JSON under /api/, a self-contained HTML page elsewhere."""
    message = _MESSAGES.get(dependency, _MESSAGES["database"])
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": f"{message} {_ADVICE}", "dependency": dependency}, status=503
        )
    else:
        html = render_to_string(
            "common/unavailable.html",
            {"message": message, "advice": _ADVICE, "retry_after": RETRY_AFTER_SECONDS},
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    if request.headers.get("HX-Request") == "true":
        # htmx does not swap error responses; reloading shows this page instead of nothing.
        response["HX-Refresh"] = "true"
    return response


def storage_full_response(request: HttpRequest, exc: StorageFull) -> HttpResponse:
    """507 Insufficient Storage: the upload was not kept (chorus.common.storage)."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": exc.message}, status=507)
    else:
        html = render_to_string(
            "common/unavailable.html",
            {"title": "The file could not be saved", "message": exc.message, "advice": ""},
        )
        response = HttpResponse(html, status=507)
    response["Cache-Control"] = "no-store"
    return response


def api_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """django-ninja exception handler for DEPENDENCY_ERRORS (see config/api.py)."""
    dependency = dependency_down(exc) or "database"
    _log(request, dependency, exc)
    return unavailable_response(request, dependency)


def _log(request: HttpRequest, dependency: str, exc: BaseException) -> None:
    logger.error(
        "%s unavailable during %s %s: %s: %s",
        dependency,
        request.method,
        request.path,
        type(exc).__name__,
        exc,
    )


class DependencyUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        dependency = getattr(request, "_chorus_dependency_down", None)
        if dependency and response.status_code == 500:
            return unavailable_response(request, dependency)
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, StorageFull):  # for views that do not show domain errors in a form
            logger.error("upload storage full during %s %s", request.method, request.path)
            return storage_full_response(request, exc)
        dependency = dependency_down(exc)
        if dependency is None:
            return None
        _log(request, dependency, exc)
        return unavailable_response(request, dependency)


@receiver(got_request_exception)
def _remember_dependency_down(
    sender: Any, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """An error outside the view (in a middleware) already became a 500: mark the request so
    the middleware above can answer 503 instead. Sent from inside Django's `except` block."""
    dependency = dependency_down(sys.exc_info()[1])
    if dependency and request is not None:
        request._chorus_dependency_down = dependency  # type: ignore[attr-defined]
