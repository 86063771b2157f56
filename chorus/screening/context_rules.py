"""Policy context: rules that apply for a while on top of the published policy.

Quiet periods (an earnings blackout, an M&A embargo) and crisis mode tighten screening for
named terms while they last. The calling app describes each window as a
:class:`ContextRule`; :func:`apply_context` returns the policy with one custom rule per
window (``params.terms``, its own severity), so the engine, its cache and every caller see
one ordinary policy. Pure Python; never imports Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chorus.screening.policy import Policy


@dataclass(frozen=True)
class ContextRule:
    id: str  # "context.quiet.3", "context.crisis"
    title: str
    text: str
    terms: tuple[str, ...]
    severity: str = "critical"
    category: str = "confidential"


def apply_context(policy: Policy, rules: Sequence[ContextRule]) -> Policy:
    """`policy` plus one custom rule per context rule with terms; unchanged when none."""
    rules = [r for r in rules if r.terms]
    if not rules:
        return policy
    document = policy.to_dict()
    existing = {r["id"] for r in document.get("rules", [])}
    extra = []
    for rule in rules:
        if rule.id in existing:
            continue
        extra.append({
            "id": rule.id, "category": rule.category, "severity": rule.severity,
            "enabled": True, "title": rule.title, "text": rule.text,
            "params": {"terms": list(dict.fromkeys(rule.terms))},
        })
    document["rules"] = [*document.get("rules", []), *extra]
    return Policy.from_dict(document)
