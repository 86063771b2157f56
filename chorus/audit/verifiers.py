"""Extra checks `chorus audit verify` runs after the hash chain.

An app registers `register_verifier(label, fn)` in its AppConfig.ready(), where
`fn(organization_id: int | None) -> VerifyReport`; the audit app imports no domain app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


VERIFIERS: dict[str, Callable[[int | None], VerifyReport]] = {}


def register_verifier(label: str, fn: Callable[[int | None], VerifyReport]) -> None:
    VERIFIERS[label] = fn
