"""Request ids and structured logs.

`RequestIdMiddleware` gives every request an id: the caller's `X-Request-ID` when it is a
plausible id (a reverse proxy or load balancer usually sets one), a new random one otherwise.
The id is sent back in the `X-Request-ID` response header, attached to every log record written
while the request is handled (`RequestIdFilter`) and written on one access-log line per request
(logger `chorus.request`). `LOG_FORMAT=json` switches the console handler to `JsonFormatter`:
one JSON object per line, ready for Loki, Elasticsearch or `jq`.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from chorus.common.metrics import HTTP_REQUESTS, HTTP_SECONDS

REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits and a few separators, at most 128 characters: enough for UUIDs, AWS and
# Cloudflare ids, and nothing that could forge a log line or a header.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")
# Probes and scrapes are logged at DEBUG so they do not drown the access log.
_QUIET_PATHS = {"/healthz", "/readyz", "/metrics"}

_request_id: ContextVar[str] = ContextVar("chorus_request_id", default="-")
access_log = logging.getLogger("chorus.request")


def current_request_id() -> str:
    """The id of the request being handled in this thread or task, or "-" outside one."""
    return _request_id.get()


def request_id_from(value: str | None) -> str:
    """The caller's id when it is well-formed, else a new random one (32 hex characters)."""
    if value and _VALID_ID.match(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets and propagates `X-Request-ID`, logs one access line and counts the request.

    Installed first in `MIDDLEWARE`, so even a redirect or an error page from a later
    middleware carries the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            elapsed = time.perf_counter() - started
            self._record(request, response.status_code, elapsed)
            return response
        finally:
            _request_id.reset(token)

    def _record(self, request: HttpRequest, status: int, elapsed: float) -> None:
        method = request.method or "-"
        HTTP_REQUESTS.labels(method=method, status=str(status)).inc()
        HTTP_SECONDS.labels(method=method).observe(elapsed)
        level = logging.DEBUG if request.path in _QUIET_PATHS else logging.INFO
        if access_log.isEnabledFor(level):
            access_log.log(
                level,
                "%s %s %s %.1fms",
                method,
                request.path,
                status,
                elapsed * 1000,
                extra={
                    "method": method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                    "user_id": _user_id_if_loaded(request),
                },
            )


def _user_id_if_loaded(request: HttpRequest) -> int | None:
    """The signed-in user's id when the request already looked the user up; never a query of
    its own (public pages such as tracked-link redirects must stay one-query cheap)."""
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:
        return None
    return getattr(wrapped, "pk", None)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (used by both formatters)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


# Attributes every LogRecord has; anything else was passed with `extra=` and is logged too.
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id,
    the `extra=` fields and, for errors, the formatted exception."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current_request_id()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        return json.dumps(payload, default=str, ensure_ascii=False)
