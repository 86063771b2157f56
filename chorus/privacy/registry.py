"""The data-rights registry: each app says what it holds about a person and how to erase it.

An app contributes a module `chorus/<app>/privacy.py` (or names another in its AppConfig as
`privacy_module = "dotted.path"`) with either or both of:

    def export_person_data(person) -> list[Section]
    def erase_person_data(person) -> Erasure

and, optionally, `ERASE_ORDER = <int>` (default 100; lower runs first) and `EXPORT_ORDER`
(default 100; lower is shown first). `chorus.people` erases last (1000), because the others
find a person's rows through the person and the account while they still carry their identity;
it is shown first, and the audit trail last. The modules are found through
`django.apps` when first needed, so apps stay independent: none imports another to take
part, and an app that is not installed simply contributes nothing.

Contract for `erase_person_data`: run inside the caller's transaction, delete or pseudonymize
what may go, keep what must stay, and report each kept category with its legal reason
(`Kept`). It records no audit entry itself (the privacy service records one for the whole
erasure) and must not raise for a person who has no data in the app.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.util import find_spec
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class Section:
    """One category of data for the export: a title, records (flat label → value dicts) and
    a note on anything deliberately not included (and why)."""

    title: str
    records: list[dict[str, Any]]
    note: str = ""


@dataclass(frozen=True)
class Kept:
    """Data an erasure keeps: what, how many, and the legal reason shown to HR."""

    what: str
    count: int
    reason: str


@dataclass
class Erasure:
    """What one app did for one erasure."""

    erased: list[tuple[str, int]] = field(default_factory=list)
    pseudonymized: list[tuple[str, int]] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def erase(self, what: str, count: int) -> None:
        if count:
            self.erased.append((what, count))

    def pseudonymize(self, what: str, count: int) -> None:
        if count:
            self.pseudonymized.append((what, count))

    def keep(self, what: str, count: int, reason: str) -> None:
        if count:
            self.kept.append(Kept(what, count, reason))


@dataclass(frozen=True)
class Contributor:
    app_label: str
    app_name: str
    export: Callable[[Any], list[Section]] | None
    erase: Callable[[Any], Erasure] | None
    order: int
    export_order: int = 100


_cache: list[tuple[int, Contributor]] | None = None  # (position in INSTALLED_APPS, contributor)


def _discover() -> list[tuple[int, Contributor]]:
    global _cache
    if _cache is None:
        found = []
        for position, config in enumerate(apps.get_app_configs()):
            dotted = getattr(config, "privacy_module", f"{config.name}.privacy")
            if find_spec(dotted.rsplit(".", 1)[0]) is None or find_spec(dotted) is None:
                continue
            module = importlib.import_module(dotted)
            export = getattr(module, "export_person_data", None)
            erase = getattr(module, "erase_person_data", None)
            if export or erase:
                contributor = Contributor(
                    app_label=config.label,
                    app_name=str(config.verbose_name),
                    export=export,
                    erase=erase,
                    order=getattr(module, "ERASE_ORDER", 100),
                    export_order=getattr(module, "EXPORT_ORDER", 100),
                )
                found.append((position, contributor))
        _cache = found
    return _cache


def contributors() -> list[Contributor]:
    """Every installed app's contribution, in erase order (then INSTALLED_APPS order)."""
    return [c for p, c in sorted(_discover(), key=lambda pc: (pc[1].order, pc[0]))]


def export_contributors() -> list[Contributor]:
    """The same, in the order the export shows them (EXPORT_ORDER, then INSTALLED_APPS order)."""
    return [c for p, c in sorted(_discover(), key=lambda pc: (pc[1].export_order, pc[0]))]
