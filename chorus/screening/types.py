"""Shared value types of the screening package, in a module that imports nothing of it.

Every other module of ``chorus.screening`` may import from here; this module imports only the
standard library, so the package's import graph has no cycles (``tests/test_import_graph.py``).
The names stay importable from where they were first defined (``engine``, ``policy``,
``detectors.context``) for the apps that use them.

Pure Python; never imports Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MAX_TEXT_CHARS",
    "Emit",
    "Finding",
    "Hit",
    "InputTooLarge",
    "Post",
    "Result",
    "RuleSetting",
    "gettext_noop",
]

MAX_TEXT_CHARS = 100_000


def gettext_noop(message: str) -> str:
    """Mark an English sentence for the translation catalogs without translating it here.

    The screening package never imports Django; ``makemessages`` finds these calls by name
    (Django passes ``--keyword=gettext_noop`` to xgettext), and the app that shows a finding
    translates it in the reader's language.
    """
    return message


class InputTooLarge(ValueError):
    """The post text is longer than :data:`MAX_TEXT_CHARS` characters."""

    def __init__(self, size: int) -> None:
        super().__init__(
            f"post text is {size:,} characters; the limit is {MAX_TEXT_CHARS:,} characters"
        )
        self.size = size


@dataclass(frozen=True)
class Post:
    """One draft post to check. ``context`` is free metadata (not interpreted yet)."""

    id: str
    text: str
    author: str | None = None
    network: str | None = None
    context: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Finding:
    """One reason to look at a post; ``excerpt == text[start:end]``."""

    rule_id: str
    category: str
    severity: str
    start: int
    end: int
    excerpt: str
    message: str
    suggestion: str | None = None
    # For translation at the display layer: ``why`` is the English sentence template (marked
    # with ``gettext_noop`` where it is written) and ``why_params`` fills its ``{name}`` slots.
    # ``message`` stays the composed English text (the API contract); apps that know the
    # reader's language render ``gettext(why).format(**why_params)`` plus the policy clause.
    why: str = ""
    why_params: Mapping[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule_id": self.rule_id,
            "category": self.category,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "excerpt": self.excerpt,
            "message": self.message,
        }
        if self.suggestion:
            out["suggestion"] = self.suggestion
        return out


@dataclass(frozen=True)
class Result:
    """The outcome for one post, shaped exactly like the contract's output object."""

    id: str
    verdict: str
    categories: tuple[str, ...]
    signals: tuple[str, ...]
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "verdict": self.verdict,
            "categories": list(self.categories),
            "signals": list(self.signals),
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass(frozen=True)
class RuleSetting:
    """One rule as configured.

    In a document (``Policy.rules``) every field except ``id`` may be ``None`` meaning "inherit
    from the catalog preset". In :meth:`Policy.effective_rules` every field is resolved.
    ``params`` is a plain dict; treat it as read-only.
    """

    id: str
    category: str | None = None
    enabled: bool | None = None
    severity: str | None = None
    title: str | None = None
    text: str | None = None
    rationale: str | None = None
    params: dict[str, Any] | None = None

    @property
    def is_guidance(self) -> bool:
        """Human-only rules are shown to employees but never machine-checked."""
        return self.category == "guidance"


@dataclass(frozen=True)
class Emit:
    """What a detector reports: a rule, an original-text span, and why."""

    rule_id: str
    start: int
    end: int
    why: str
    suggestion: str | None = None
    severity: str | None = None  # overrides the rule severity (e.g. insults one step lower)
    lowerable: bool = False  # protected activity lowers it to info
    # When set, ``why`` is a template with ``{name}`` slots filled from here (see Finding.why).
    why_params: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Hit:
    """One lexicon or entity match. ``start``/``end`` index the normalized text (``norm``)."""

    start: int
    end: int
    kind: str
    value: str  # canonical term (entity name as written in the policy, or lexicon term)
    extra: object = None
