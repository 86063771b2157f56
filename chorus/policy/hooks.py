"""Things other apps want to happen after a policy version is published.

`register_publish_hook(fn)` from an AppConfig.ready(); `policy_version_publish` schedules each
`fn(version)` with `transaction.on_commit`, so hooks only ever see committed versions and a
failing hook cannot undo a publication. Onboarding uses this to start re-attestation when a
material change is published.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PUBLISH_HOOKS: list[Callable[[Any], None]] = []


def register_publish_hook(fn: Callable[[Any], None]) -> None:
    """Call `fn(version)` after every publication commits. Registering twice is a no-op."""
    if fn not in PUBLISH_HOOKS:
        PUBLISH_HOOKS.append(fn)


def unregister_publish_hook(fn: Callable[[Any], None]) -> None:
    if fn in PUBLISH_HOOKS:
        PUBLISH_HOOKS.remove(fn)
