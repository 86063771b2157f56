"""Turning a screening result into what the page shows: marked spans and a findings list.

Shared by every page that shows live screening (check my post, advocacy captions, reports).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from chorus.screening.catalog import SEVERITY_RANK

if TYPE_CHECKING:
    from chorus.screening.policy import Policy


@dataclass(frozen=True)
class Segment:
    text: str
    level: str  # "", "info", "warn" or "block"
    title: str = ""


LEVEL_RANK = {"": 0, "info": 1, "warn": 2, "block": 3}


def finding_level(severity: str, policy: Policy) -> str:
    """The verdict a single finding would cause under the policy's thresholds."""
    thresholds = policy.effective_thresholds()
    rank = SEVERITY_RANK[severity]
    if rank >= SEVERITY_RANK[thresholds.block or "high"]:
        return "block"
    if rank >= SEVERITY_RANK[thresholds.warn or "low"]:
        return "warn"
    return "info"


def segments(text: str, findings: list[Any], policy: Policy) -> list[Segment]:
    """Split `text` at every finding boundary; each piece carries the most severe level that
    covers it, so overlapping findings render as one mark of the worst kind."""
    cuts = {0, len(text)}
    for f in findings:
        cuts.update((max(0, f.start), min(len(text), f.end)))
    points = sorted(cuts)
    out: list[Segment] = []
    for start, end in pairwise(points):
        covering = [f for f in findings if f.start <= start and f.end >= end and f.end > f.start]
        level, title = "", ""
        for f in covering:
            candidate = finding_level(f.severity, policy)
            if LEVEL_RANK[candidate] > LEVEL_RANK[level]:
                level, title = candidate, f.message
        out.append(Segment(text=text[start:end], level=level, title=title))
    return out


def present(text: str, result: Any, policy: Policy) -> dict[str, Any]:
    """Template context for `checks/_result.html`."""
    findings = sorted(result.findings, key=lambda f: (f.start, f.end))
    return {
        "text": text,
        "verdict": result.verdict,
        "segments": segments(text, findings, policy),
        "findings": [{"f": f, "level": finding_level(f.severity, policy)} for f in findings],
        "protected": "protected_activity" in result.signals,
        "categories": result.categories,
    }
