"""How much screening one user may ask of the API: a per-request character budget and a
per-user rate limit, counted in Django's shared cache (``django.core.cache.cache``) so every
web process and machine sees the same counters.

Screening costs about one second of CPU per 100,000 characters, so the limits are in
characters as well as requests:

- ``CHECK_SYNC_MAX_CHARS``: a request up to this many characters is answered at once (200);
  a larger batch becomes a background job (202 and a result URL).
- ``CHECK_MAX_CHARS``: the most one request may hold; above it, 413.
- ``CHECK_RATE_REQUESTS_PER_MINUTE`` and ``CHECK_RATE_CHARS_PER_HOUR`` per user; above them,
  429 with ``Retry-After``. ``CHECK_MAX_ACTIVE_JOBS`` background jobs per user at a time.

Fixed windows (per minute, per hour) keep it to two cache operations per request; a refused
request does not use up the character allowance.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from chorus.common.errors import DomainError


class CheckTooLarge(DomainError):
    status_code = 413


class CheckRateLimited(DomainError):
    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


def _incr(key: str, delta: int, timeout: int) -> int:
    cache.add(key, 0, timeout)
    try:
        return int(cache.incr(key, delta))
    except ValueError:  # the key expired between add and incr
        cache.set(key, delta, timeout)
        return delta


def check_budget(*, characters: int) -> None:
    """Refuse (413) a request holding more than ``CHECK_MAX_CHARS`` characters."""
    limit = settings.CHECK_MAX_CHARS
    if characters > limit:
        raise CheckTooLarge(
            f"This request holds {characters:,} characters of text; one request may hold at "
            f"most {limit:,}. Split it into smaller batches.",
            field="posts",
        )


def rate_limit_consume(*, user_id: int, characters: int, now: float | None = None) -> None:
    """Count one request of ``characters`` for the user, or raise ``CheckRateLimited`` (429)
    saying when to try again."""
    now = time.time() if now is None else now
    minute, hour = int(now // 60), int(now // 3600)
    requests = _incr(f"chorus:check:req:{user_id}:{minute}", 1, 120)
    if requests > settings.CHECK_RATE_REQUESTS_PER_MINUTE:
        raise CheckRateLimited(
            f"Too many checks: at most {settings.CHECK_RATE_REQUESTS_PER_MINUTE} requests a "
            "minute. Wait a moment, or send posts in batches.",
            retry_after=60 - int(now % 60),
        )
    key = f"chorus:check:chars:{user_id}:{hour}"
    used = _incr(key, characters, 7200)
    if used > settings.CHECK_RATE_CHARS_PER_HOUR:
        cache.decr(key, characters)  # a refused request does not use the allowance
        raise CheckRateLimited(
            f"Too much text this hour: at most {settings.CHECK_RATE_CHARS_PER_HOUR:,} "
            "characters an hour per person. Try again after the hour.",
            retry_after=3600 - int(now % 3600),
        )
