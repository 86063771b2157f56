"""A limit on wrong report keys per client, so nobody can guess keys on /r/ by brute force.

At most `REPORTS_KEY_ATTEMPTS` (default 10) failed key lookups per client in a 15-minute
window, counted in the cache every web process shares (the database or Redis, see
`chorus.common.cache`), so several workers allow no more and a restart does not reset it.
The client is its address behind the trusted proxies (`chorus.common.clientip`), identified by
a salted HMAC:
the address itself is never stored, in the cache or anywhere else. The window starts at the
first failure and is not extended by later ones, and a correct key does not reset the count
(otherwise one valid key would unlock unlimited guessing).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from chorus.common.clientip import client_ip

WINDOW_SECONDS = 15 * 60
DEFAULT_ATTEMPTS = 10


def _max_attempts() -> int:
    return int(getattr(settings, "REPORTS_KEY_ATTEMPTS", DEFAULT_ATTEMPTS))


def _cache_key(request: HttpRequest) -> str:
    address = client_ip(request) or "unknown"
    digest = salted_hmac("chorus.reports.key_attempts", address, algorithm="sha256").hexdigest()
    return f"reports:key-attempts:{digest}"


def key_attempts_exhausted(request: HttpRequest) -> bool:
    """True when this client already had its allowance of wrong keys in the current window.
    Reads only."""
    return int(cache.get(_cache_key(request), 0)) >= _max_attempts()


def key_attempt_failed(request: HttpRequest) -> int:
    """Count one wrong key for this client and return the count in the current window."""
    key = _cache_key(request)
    # add() starts the window only if none is running, so the expiry is set once; incr() keeps
    # it. If the window expires between the two calls, incr() raises and we start a new one.
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return 1
