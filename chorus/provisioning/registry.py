"""The offboarding registry: each app says what happens to its part when someone leaves.

An app contributes a module `chorus/<app>/offboarding.py` (or names another in its AppConfig
as `offboarding_module = "dotted.path"`) with

    def offboard_person(person, *, actor, reason) -> list[Step]

and, optionally, `OFFBOARD_ORDER = <int>` (default 100; lower runs first). The modules are
found through `django.apps`, so no app imports another to take part and an app that is not
installed contributes nothing; `chorus.provisioning` imports no domain app.

Contract for `offboard_person`: runs inside the offboarding's single transaction; changes
only what belongs to the app; is idempotent (a second run changes nothing and reports a
count of 0); deletes nothing that retention rules keep; records no audit entry of its own
(the offboarding service audits every step); and must not raise for a person with no data
in the app. `actor` is the person who offboarded (HR or an administrator, a `User`), or a
label (str) naming the identity provider that did.
Each `Step.summary` is read by the person who left, so it is plain language: what happened
and what happens to their data.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib.util import find_spec
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class Step:
    """What one app did for one offboarding: `key` ("monitoring.consent_ended"), a short
    `title`, the plain-language `summary` and how many things it changed this run."""

    key: str
    title: str
    summary: str
    count: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Contributor:
    app_label: str
    offboard: Callable[..., list[Step]]
    order: int


_cache: list[tuple[int, int, Contributor]] | None = None


def contributors() -> list[Contributor]:
    """Every installed app's offboarding step, in OFFBOARD_ORDER then INSTALLED_APPS order."""
    global _cache
    if _cache is None:
        found = []
        for position, config in enumerate(apps.get_app_configs()):
            dotted = getattr(config, "offboarding_module", f"{config.name}.offboarding")
            if find_spec(dotted.rsplit(".", 1)[0]) is None or find_spec(dotted) is None:
                continue
            module = importlib.import_module(dotted)
            offboard = getattr(module, "offboard_person", None)
            if offboard is None:
                continue
            order = getattr(module, "OFFBOARD_ORDER", 100)
            found.append((order, position, Contributor(config.label, offboard, order)))
        _cache = sorted(found, key=lambda item: (item[0], item[1]))
    return [c for _, _, c in _cache]
