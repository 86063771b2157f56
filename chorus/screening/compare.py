"""Replay texts against two policies and tally what changes (the impact preview).

``PairScreener(old, new).check(post)`` gives both results for one post. When the two policies
match the same things (same organization facts, entity lists, allowlist, disclosure settings,
languages and the same enabled rules with the same parameters) and differ only in severities,
thresholds, wording or custom term-list rules, the text is normalized and the detectors run
once with a policy holding both sides' term lists; each policy then turns the shared emits
into its own findings and verdict, keeping only its own rules. That is exact, because
detectors read which catalog rules are on and their parameters, never a rule's severity or
text, and a term-list rule only adds its own hits. Otherwise (entity lists or catalog rule
parameters changed) both policies screen the text in full.

``ImpactTally`` aggregates pairs: findings appearing and disappearing per rule and category,
verdict changes, people affected, samples, and protected-activity posts the new policy would
block (which the policy owner must fix before publishing).

Pure Python; never imports Django.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chorus.screening.catalog import RULES_BY_ID
from chorus.screening.engine import (
    MAX_TEXT_CHARS,
    Post,
    Result,
    Screener,
    collect_hits,
    screener_for,
)
from chorus.screening.policy import Policy
from chorus.screening.text import normalize

SAMPLE_LIMIT = 12
PROTECTED_LIMIT = 50
VERDICT_RANK = {"allow": 0, "warn": 1, "block": 2}


def _is_term_rule(rule: Any) -> bool:
    """A custom rule that only lists terms: its emits come from its own automaton entries
    and no detector looks at it, so it can be added to a compiled policy without changing
    what any other rule emits."""
    return rule.id not in RULES_BY_ID and set(rule.params or {}) <= {"terms"}


def match_signature(policy: Policy) -> str:
    """A hash of everything that decides what the detectors emit for a text, except
    custom term-list rules (compared separately by :class:`PairScreener`)."""
    doc = policy.to_dict()
    rules = [
        (r.id, r.category, bool(r.enabled), r.params or {})
        for r in policy.effective_rules()
        if r.enabled and r.category != "guidance" and not _is_term_rule(r)
    ]
    data = {
        "organization": doc.get("organization"),
        "preset": policy.preset,  # the learned tier's thresholds follow the preset
        "entities": doc.get("entities"),
        "allowlist": doc.get("allowlist"),
        "disclosure": doc.get("disclosure"),
        "hashtags": list(policy.effective_hashtags()),
        "languages": doc.get("languages"),
        "rules": sorted(rules, key=lambda r: r[0]),
    }
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _term_rules(policy: Policy) -> dict[str, Any]:
    return {r.id: r for r in policy.effective_rules()
            if r.enabled and r.category != "guidance" and _is_term_rule(r)}


def _union(old: Policy, new: Policy) -> Policy | None:
    """`new` plus the term-list rules only `old` has, when the two differ only in
    severities, thresholds, wording and term-list rules; else None."""
    if match_signature(old) != match_signature(new):
        return None
    old_terms, new_terms = _term_rules(old), _term_rules(new)
    for rule_id in set(old_terms) & set(new_terms):
        if (old_terms[rule_id].params or {}) != (new_terms[rule_id].params or {}):
            return None
    extra = [r for rule_id, r in old_terms.items() if rule_id not in new_terms]
    if not extra:
        return new
    document = new.to_dict()
    present = {r["id"] for r in document.get("rules", [])}
    rules = list(document.get("rules", []))
    for rule in extra:
        item = {"id": rule.id, "category": rule.category, "enabled": True,
                "severity": rule.severity, "title": rule.title, "text": rule.text,
                "params": dict(rule.params or {})}
        if rule.id in present:  # switched off in new: keep new's entry, on for matching
            rules = [dict(r, enabled=True, params=item["params"]) if r["id"] == rule.id else r
                     for r in rules]
        else:
            rules.append(item)
    document["rules"] = rules
    return Policy.from_dict(document)


class PairScreener:
    """Both policies' results for each post; `old` may be None (nothing in force yet)."""

    def __init__(self, old: Policy | None, new: Policy) -> None:
        self.new = screener_for(new)
        self.old: Screener | None = screener_for(old) if old is not None else None
        union = _union(old, new) if old is not None else None
        self.shared: Screener | None = screener_for(union) if union is not None else None

    def check(self, post: Post) -> tuple[Result | None, Result]:
        if self.old is None:
            return None, self.new.check(post)
        if self.shared is None or not post.text.strip() or len(post.text) > MAX_TEXT_CHARS:
            return self.old.check(post), self.new.check(post)  # the latter raises if too long
        from chorus.screening.detectors import run_detectors
        from chorus.screening.detectors.context import Context

        compiled = self.shared.compiled
        nt = normalize(post.text)
        hits = collect_hits(compiled, nt)
        by_kind: dict[str, list[Any]] = {}
        for hit in hits:
            by_kind.setdefault(hit.kind, []).append(hit)
        ctx = Context(post=post, nt=nt, compiled=compiled, hits=hits, by_kind=by_kind)
        emits, signals = run_detectors(ctx)
        # Each policy keeps only the emits of its own enabled rules (Screener._result), and
        # the learned tier judges under each policy's own rules and preset.
        old_emits, old_signals = self.old._learned(ctx, emits, signals)
        new_emits, new_signals = self.new._learned(ctx, emits, signals)
        return (
            self.old._result(post, ctx, old_emits, old_signals),
            self.new._result(post, ctx, new_emits, new_signals),
        )


@dataclass
class Item:
    """One stored text and where it came from (`author` is an opaque person key)."""

    source: str
    ref: str
    text: str
    network: str | None = None
    author: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


def _rule_keys(result: Result | None) -> set[str]:
    if result is None:
        return set()
    return {f.rule_id for f in result.findings if f.severity != "info"}


def _categories(result: Result | None) -> set[str]:
    return set(result.categories) if result is not None else set()


@dataclass
class ImpactTally:
    """Counts of what changes between the old and the new policy over many texts."""

    rule_titles: dict[str, tuple[str, str]] = field(default_factory=dict)
    texts: int = 0
    by_source: Counter[str] = field(default_factory=Counter)
    appear: Counter[str] = field(default_factory=Counter)
    disappear: Counter[str] = field(default_factory=Counter)
    cat_appear: Counter[str] = field(default_factory=Counter)
    cat_disappear: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)
    people: set[str] = field(default_factory=set)
    stricter: list[dict[str, Any]] = field(default_factory=list)
    looser: list[dict[str, Any]] = field(default_factory=list)
    protected: list[dict[str, Any]] = field(default_factory=list)
    protected_count: int = 0
    newly_blocked: int = 0

    def add(self, item: Item, old: Result | None, new: Result) -> None:
        self.texts += 1
        self.by_source[item.source] += 1
        old_rules, new_rules = _rule_keys(old), _rule_keys(new)
        for rule_id in new_rules - old_rules:
            self.appear[rule_id] += 1
        for rule_id in old_rules - new_rules:
            self.disappear[rule_id] += 1
        old_cats, new_cats = _categories(old), _categories(new)
        for cat in new_cats - old_cats:
            self.cat_appear[cat] += 1
        for cat in old_cats - new_cats:
            self.cat_disappear[cat] += 1
        old_verdict = old.verdict if old is not None else "allow"
        if old_verdict != new.verdict:
            self.verdicts[f"{old_verdict}→{new.verdict}"] += 1
            if item.author:
                self.people.add(item.author)
            if new.verdict == "block":
                self.newly_blocked += 1
        changed = old_verdict != new.verdict or old_rules != new_rules
        if not changed:
            return
        stricter = VERDICT_RANK[new.verdict] > VERDICT_RANK[old_verdict] or (
            VERDICT_RANK[new.verdict] == VERDICT_RANK[old_verdict] and new_rules - old_rules
        )
        protected = (
            new.verdict == "block" and old_verdict != "block"
            and "protected_activity" in new.signals
        )
        if protected:
            self.protected_count += 1
        target = self.protected if protected else (self.stricter if stricter else self.looser)
        limit = PROTECTED_LIMIT if protected else SAMPLE_LIMIT
        if len(target) < limit:
            target.append(self._sample(item, old, new, old_verdict))

    def _sample(
        self, item: Item, old: Result | None, new: Result, old_verdict: str
    ) -> dict[str, Any]:
        findings = new.findings if new.findings else (old.findings if old else ())
        return {
            "source": item.source,
            "ref": item.ref,
            "author": item.author,
            "text": item.text[:600],
            "old": old_verdict,
            "new": new.verdict,
            "added": sorted(_rule_keys(new) - _rule_keys(old)),
            "removed": sorted(_rule_keys(old) - _rule_keys(new)),
            "signals": list(new.signals),
            "spans": [[f.start, f.end] for f in findings if f.end <= 600][:10],
            **dict(item.meta),
        }

    def to_dict(self) -> dict[str, Any]:
        rules: list[dict[str, Any]] = []
        for rule_id in sorted(set(self.appear) | set(self.disappear)):
            title, category = self.rule_titles.get(rule_id, (rule_id, ""))
            rules.append(
                {
                    "rule_id": rule_id,
                    "title": title,
                    "category": category,
                    "appear": self.appear[rule_id],
                    "disappear": self.disappear[rule_id],
                }
            )
        rules.sort(key=lambda r: (-(int(r["appear"]) + int(r["disappear"])), str(r["rule_id"])))
        categories = [
            {"category": c, "appear": self.cat_appear[c], "disappear": self.cat_disappear[c]}
            for c in sorted(set(self.cat_appear) | set(self.cat_disappear))
        ]
        return {
            "texts": self.texts,
            "by_source": dict(self.by_source),
            "rules": rules,
            "categories": categories,
            "verdicts": dict(sorted(self.verdicts.items())),
            "verdict_changes": sum(self.verdicts.values()),
            "newly_blocked": self.newly_blocked,
            "people": len(self.people),
            "stricter": self.stricter,
            "looser": self.looser,
            "protected": self.protected,
            "protected_count": self.protected_count,
        }


def replay(
    old: Policy | None,
    new: Policy,
    items: Any,
    *,
    progress: Any = None,
    every: int = 1000,
) -> ImpactTally:
    """Screen every item (an iterable of :class:`Item`) under both policies and tally it.

    Identical texts on the same network are screened once. ``progress(n)`` is called every
    ``every`` items with the number done so far.
    """
    pair = PairScreener(old, new)
    tally = ImpactTally()
    for rule in new.effective_rules():
        tally.rule_titles[rule.id] = (rule.title or rule.id, rule.category or "")
    if old is not None:
        for rule in old.effective_rules():
            tally.rule_titles.setdefault(rule.id, (rule.title or rule.id, rule.category or ""))
    seen: dict[tuple[str, str | None], tuple[Result | None, Result]] = {}
    for n, item in enumerate(items, 1):
        key = (item.text, item.network)
        pairs = seen.get(key)
        if pairs is None:
            post = Post(id=item.ref, text=item.text, network=item.network)
            pairs = pair.check(post)
            if len(seen) < 20_000:
                seen[key] = pairs
        tally.add(item, *pairs)
        if progress is not None and n % every == 0:
            progress(n)
    return tally
