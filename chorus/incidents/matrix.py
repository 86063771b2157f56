"""The response matrix as plain data: presets, the suggestion rule and the matrix lints.

Pure functions over dicts and strings, so the matrix page's "try a case" form, the incident
assessment and the tests all use exactly the same rule. Nothing here writes anything.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from chorus.common.errors import InvalidInput
from chorus.incidents.models import (
    MODIFIERS,
    RESPONSE_LADDER,
    History,
    Response,
    Severity,
)

SEVERITY_ORDER: list[str] = list(Severity.values)
HISTORY_ORDER: list[str] = list(History.values)

C, R, W, F, T = (Response.COACHING, Response.REMINDER, Response.WRITTEN_WARNING,
                 Response.FINAL_WARNING, Response.TERMINATION_REVIEW)


def _grid(rows: dict[str, tuple[str, str, str]]) -> dict[str, dict[str, str]]:
    return {sev: dict(zip(HISTORY_ORDER, (str(v) for v in row), strict=True))
            for sev, row in rows.items()}


#: Research c.2 mapped onto the five-rung ladder. "balanced" ships with the balanced policy;
#: strict and loose move the middle rows one rung, never past a termination *review*.
PRESETS: dict[str, dict[str, dict[str, str]]] = {
    "balanced": _grid({
        "none": (C, R, R),
        "low": (R, W, F),
        "medium": (W, F, T),
        "high": (F, T, T),
        "critical": (T, T, T),
    }),
    "strict": _grid({
        "none": (R, R, W),
        "low": (W, F, F),
        "medium": (F, T, T),
        "high": (T, T, T),
        "critical": (T, T, T),
    }),
    "loose": _grid({
        "none": (C, C, R),
        "low": (C, R, W),
        "medium": (R, W, F),
        "high": (W, F, T),
        "critical": (T, T, T),
    }),
}

MODIFIER_LABELS = {1: "aggravating (+1)", 0: "neutral", -1: "mitigating (−1)"}

#: Research c.1 item 5 (the notice test, Daugherty test 1): without a record that the employee
#: received the policy, the suggestion goes no higher than the lowest step.
NOTICE_CAP = Response.COACHING
NOTICE_REASON = ("no record that the employee received the policy; a sanction for a rule they "
                 "were not told about is unfair and legally risky")


def label(choices: type, value: str) -> str:
    return dict(choices.choices).get(value, value)  # type: ignore[attr-defined]


def validate_cells(cells: Any) -> dict[str, dict[str, str]]:
    """Return a clean copy of `cells` or raise InvalidInput naming the first bad cell."""
    if not isinstance(cells, dict):
        raise InvalidInput("The matrix must map each severity to its row.", field="cells")
    clean: dict[str, dict[str, str]] = {}
    for sev in SEVERITY_ORDER:
        row = cells.get(sev)
        if not isinstance(row, dict):
            raise InvalidInput(f"The row for severity “{label(Severity, sev)}” is missing.",
                               field=f"cells.{sev}")
        clean[sev] = {}
        for hist in HISTORY_ORDER:
            value = row.get(hist)
            if value not in RESPONSE_LADDER:
                raise InvalidInput(
                    f"{label(Severity, sev)} × {label(History, hist)}: choose one of "
                    f"{', '.join(Response.labels)} (got {value!r}).",
                    field=f"cells.{sev}.{hist}",
                )
            clean[sev][hist] = value
    return clean


def clean_modifiers(modifiers: dict[str, Any] | None) -> dict[str, int]:
    """Every known modifier as -1, 0 or +1; unknown names or values raise InvalidInput."""
    modifiers = modifiers or {}
    unknown = sorted(set(modifiers) - set(MODIFIERS))
    if unknown:
        raise InvalidInput(f"Unknown modifier {unknown[0]!r}; use {', '.join(MODIFIERS)}.",
                           field="modifiers")
    clean = {}
    for name in MODIFIERS:
        raw = modifiers.get(name, 0)
        try:
            value = int(raw or 0)
        except (TypeError, ValueError):
            value = 99
        if value not in (-1, 0, 1):
            raise InvalidInput(f"{MODIFIERS[name]['label']} must be -1 (mitigating), 0 or +1 "
                               "(aggravating).", field=name)
        clean[name] = value
    return clean


@dataclass(frozen=True)
class Suggestion:
    """What the matrix suggests for one case, and why, line by line."""

    default: str
    response: str
    requested_shift: int
    applied_shift: int
    capped: bool
    explanation: tuple[str, ...]
    notice_capped: bool = False

    @property
    def response_label(self) -> str:
        return label(Response, self.response)

    @property
    def default_label(self) -> str:
        return label(Response, self.default)


def suggest(
    *, cells: dict[str, dict[str, str]], severity: str, history: str,
    modifiers: dict[str, Any] | None = None, legal_approved: bool = False,
    version: int | None = None, policy_acknowledged: bool = True,
) -> Suggestion:
    """Look the default up, then apply the modifiers, then the notice test.

    Guarantees: the modifiers move the default by at most one rung unless `legal_approved`;
    the result always stays on the ladder (never past a termination *review*); when
    `policy_acknowledged` is False the result is never above `NOTICE_CAP` (legal approval does
    not lift this); the explanation names every input that changed the result.
    """
    if severity not in SEVERITY_ORDER:
        raise InvalidInput("Choose a severity.", field="severity")
    if history not in HISTORY_ORDER:
        raise InvalidInput("Choose the prior history.", field="history")
    mods = clean_modifiers(modifiers)
    default = cells[severity][history]
    where = f"the matrix (v{version})" if version else "the matrix"
    lines = [f"{label(Severity, severity)} severity, {label(History, history).lower()}: "
             f"{where} says {label(Response, default)}."]
    for name, value in mods.items():
        if value:
            reason = MODIFIERS[name]["up" if value > 0 else "down"]
            lines.append(f"{MODIFIERS[name]['label']}: {MODIFIER_LABELS[value]}: {reason}.")
    requested = sum(mods.values())
    shift = requested
    capped = False
    if abs(requested) > 1 and not legal_approved:
        shift = 1 if requested > 0 else -1
        capped = True
        lines.append(f"The modifiers add up to {requested:+d}; without legal approval they move "
                     "the default by at most one step, so the shift is capped at "
                     f"{shift:+d}.")
    elif abs(requested) > 1:
        lines.append(f"Legal approved moving the default by {requested:+d} steps.")
    start = RESPONSE_LADDER.index(default)
    index = min(max(start + shift, 0), len(RESPONSE_LADDER) - 1)
    if index != start + shift:
        lines.append("The ladder ends there: the suggestion stays at "
                     f"{label(Response, RESPONSE_LADDER[index])}.")
    response = RESPONSE_LADDER[index]
    notice_capped = False
    if not policy_acknowledged:
        cap = RESPONSE_LADDER.index(NOTICE_CAP)
        notice_capped = index > cap
        response = RESPONSE_LADDER[min(index, cap)]
        lines.append(f"Notice: {NOTICE_REASON}. The suggestion is capped at "
                     f"{label(Response, NOTICE_CAP)} (the lowest step)"
                     + (f" instead of {label(Response, RESPONSE_LADDER[index])}."
                        if notice_capped else "."))
    lines.append(f"Suggested response: {label(Response, response)}. A person decides; a different "
                 "outcome needs a written justification.")
    return Suggestion(default=default, response=response, requested_shift=requested,
                      applied_shift=index - start, capped=capped, explanation=tuple(lines),
                      notice_capped=notice_capped)


@dataclass(frozen=True)
class Lint:
    code: str
    level: str  # "error" blocks publishing, "warn" is shown
    message: str


def lint_matrix(*, cells: dict[str, dict[str, str]], window_months: int,
                response_days: int) -> list[Lint]:
    """Structural checks from research B.6 and c.2. Errors block publishing."""
    lints: list[Lint] = []
    rank = {v: i for i, v in enumerate(RESPONSE_LADDER)}
    for sev in SEVERITY_ORDER:
        row = [rank[cells[sev][h]] for h in HISTORY_ORDER]
        if any(b < a for a, b in itertools.pairwise(row)):
            lints.append(Lint("M-01", "warn",
                              f"{label(Severity, sev)}: a repeat gets a milder response than a "
                              "first occurrence. Check the row reads left to right, mildest "
                              "first."))
    for hist in HISTORY_ORDER:
        col = [rank[cells[s][hist]] for s in SEVERITY_ORDER]
        if any(b < a for a, b in itertools.pairwise(col)):
            lints.append(Lint("M-02", "warn",
                              f"{label(History, hist)}: a more severe case gets a milder "
                              "response than a less severe one."))
    if any(rank[v] >= rank[Response.WRITTEN_WARNING] for v in cells["none"].values()):
        lints.append(Lint("M-03", "error",
                          "Guidance-level issues (severity none) must not lead to a warning: "
                          "research c.2 keeps them out of the disciplinary record."))
    if rank[cells["low"]["first"]] >= rank[Response.FINAL_WARNING]:
        lints.append(Lint("M-04", "warn", "A first low-severity issue starts at a final warning "
                                          "or above; progressive discipline starts lower."))
    if not 6 <= window_months <= 36:
        lints.append(Lint("M-05", "warn",
                          f"A {window_months}-month look-back window is unusual; 12 to 24 months "
                          "is common practice (no legal source fixes it)."))
    if response_days < 3:
        lints.append(Lint("L-RSP-05", "warn",
                          f"{response_days} day(s) is a short window for the employee to "
                          "respond; the right to respond needs a real chance (ACAS, Daugherty "
                          "test 3)."))
    return lints
