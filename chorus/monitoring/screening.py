"""Screening a post for an organization, built once and reused on the hot path.

`screener_for_organization(org)` returns a function `text, network -> contract dict` (see the
screening contract: verdict, categories, signals, findings). It prefers the organization-aware
`chorus.checks.services.screen_text`; the stream consumer uses `ScreenerCache`, which builds the
engine's screener from the organization's published policy once and refreshes it every minute,
so a newly published policy applies without restarting `chorus stream`.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

ScreenFn = Callable[[str, str], dict[str, Any]]
_ids = itertools.count(1)


def _engine_screener(organization: Any) -> ScreenFn:
    from chorus.checks.services import screening_heads
    from chorus.policy.selectors import screening_policy_for
    from chorus.screening import Post, screener_for

    # The organization's retrained heads (chorus.supervision), else the shipped model.
    screener = screener_for(screening_policy_for(organization=organization),
                            heads=screening_heads(organization=organization))

    def screen(text: str, network: str) -> dict[str, Any]:
        return screener.check(Post(id=f"m{next(_ids)}", text=text, network=network)).to_dict()

    return screen


def _checks_screener(organization: Any) -> ScreenFn:
    from chorus.checks.services import screen_text

    def screen(text: str, network: str) -> dict[str, Any]:
        return screen_text(organization=organization, text=text, network=network).to_dict()

    return screen


def screener_for_organization(organization: Any) -> ScreenFn:
    """The organization's screener: its current published policy, or the balanced preset."""
    try:
        return _engine_screener(organization)
    except ImportError:
        return _checks_screener(organization)


class ScreenerCache:
    """One screener per organization, rebuilt after `ttl` seconds."""

    def __init__(self, ttl: float = 60.0) -> None:
        self.ttl = ttl
        self._cache: dict[int, tuple[float, ScreenFn]] = {}

    def get(self, organization: Any) -> ScreenFn:
        now = time.monotonic()
        hit = self._cache.get(organization.pk)
        if hit is None or now - hit[0] > self.ttl:
            hit = (now, screener_for_organization(organization))
            self._cache[organization.pk] = hit
        return hit[1]
