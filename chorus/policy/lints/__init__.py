"""Policy lints: checks of the policy an author writes against labor, privacy and consumer law.

Lints are data. Each jurisdiction has one module (`us_nlra`, `us_states`, `us_federal`,
`financial`, `eu_uk`, `structural`) declaring `LINTS`; `REGISTRY` collects them in that order.
To add a lint, append it to its module; to switch one off for an organization, add its id to
the organization's disabled list (Policy → Lints page or `PolicyLintSettings`); to switch one
off everywhere, remove it from its module. The organization's jurisdictions gate which lints run.

`lint_document(document, jurisdictions=..., disabled=...)` works on a plain policy dict with no
database, so the CLI, the API and tests all use the same code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chorus.policy.lints import eu_uk, financial, structural, us_federal, us_nlra, us_states
from chorus.policy.lints.base import (
    ERROR,
    INFO,
    LEVEL_RANK,
    LEVELS,
    WARNING,
    Lint,
    LintContext,
    LintFinding,
    Source,
)
from chorus.screening.policy import Policy

__all__ = [
    "ERROR",
    "INFO",
    "LEVELS",
    "REGISTRY",
    "WARNING",
    "Lint",
    "LintFinding",
    "Source",
    "lint_document",
    "lint_policy",
    "summarize",
]

LINT_MODULES = (us_nlra, us_states, us_federal, financial, eu_uk, structural)

REGISTRY: dict[str, Lint] = {}
for _module in LINT_MODULES:
    for _lint in _module.LINTS:
        if _lint.id in REGISTRY:  # pragma: no cover - caught by the registry test
            raise RuntimeError(f"lint {_lint.id} is declared twice")
        REGISTRY[_lint.id] = _lint
# Meta lints read what fired before them, so they run last.
_ORDER = sorted(REGISTRY.values(), key=lambda lint: lint.id == "L-NLRA-15")


def lint_policy(
    policy: Policy,
    *,
    jurisdictions: Iterable[str] | None = None,
    disabled: Iterable[str] = (),
) -> list[LintFinding]:
    """Every finding for `policy`, most severe first, then in document order.

    `jurisdictions` None means "not recorded": every lint runs at its strictest level. Lints
    whose id is in `disabled` never run. Deterministic: the same input gives the same list.
    """
    ctx = LintContext.build(policy, jurisdictions)
    off = set(disabled)
    findings: list[LintFinding] = []
    for lint in _ORDER:
        if lint.id in off or not ctx.applies_in(lint.jurisdictions):
            continue
        severity = lint.severity_for(ctx)
        seen: set[tuple[str, str]] = set()
        for hit in lint.check(ctx):
            if (hit.path, hit.excerpt) in seen:
                continue
            seen.add((hit.path, hit.excerpt))
            ctx.fired.add(lint.id)
            suggestion = _fill(hit.suggestion or lint.suggestion, ctx)
            findings.append(
                LintFinding(
                    lint_id=lint.id,
                    name=lint.name,
                    title=lint.title,
                    severity=severity,
                    path=hit.path,
                    label=hit.label,
                    excerpt=hit.excerpt,
                    explanation=lint.explanation,
                    sources=lint.sources,
                    suggestion=suggestion,
                    apply=_fix_for(lint, hit, suggestion),
                    rule_id=hit.rule_id,
                    jurisdictions=lint.jurisdictions,
                )
            )
    order = {id(f): i for i, f in enumerate(findings)}
    findings.sort(key=lambda f: (-LEVEL_RANK[f.severity], order[id(f)]))
    return findings


def _fill(text: str, ctx: LintContext) -> str:
    hashtags = ctx.policy.effective_hashtags()
    hashtag = hashtags[0] if hashtags else "#Employee"
    return text.replace("{org}", ctx.org_name).replace("{hashtag}", hashtag)


def _fix_for(lint: Lint, hit: Any, suggestion: str) -> dict[str, Any] | None:
    if hit.apply is not None:
        return hit.apply
    if lint.fix == "rewrite" and hit.start is not None and hit.end is not None:
        return {
            "kind": "rewrite",
            "path": hit.path,
            "rule_id": hit.rule_id,
            "start": hit.start,
            "end": hit.end,
            "excerpt": hit.excerpt,
            "text": suggestion,
        }
    if lint.fix == "append" and lint.section:
        return {"kind": "append", "section": lint.section, "text": suggestion}
    return None


def lint_document(
    document: Mapping[str, Any],
    *,
    jurisdictions: Iterable[str] | None = None,
    disabled: Iterable[str] = (),
) -> list[LintFinding]:
    """Lint a policy dict. Raises `chorus.screening.policy.PolicyError` if it is not valid.

    When `jurisdictions` is None the document's own `organization.jurisdictions` are used.
    """
    policy = Policy.from_dict(document)
    if jurisdictions is None and policy.organization.jurisdictions is not None:
        jurisdictions = policy.organization.jurisdictions
    return lint_policy(policy, jurisdictions=jurisdictions, disabled=disabled)


def summarize(findings: Iterable[LintFinding]) -> dict[str, int]:
    """Counts per level, e.g. {"error": 1, "warning": 2, "info": 0}."""
    counts = {level: 0 for level in LEVELS}
    for finding in findings:
        counts[finding.severity] += 1
    return counts
