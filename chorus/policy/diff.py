"""Side-by-side differences between two policy versions, word by word.

`version_diff(old, new)` is the authors' diff: it compares what employees read and what the
engine checks: the title, sections, rules (added, removed, changed per field) and settings
(entities, disclosure, thresholds, preset). It shows screening configuration, so it is for
policy staff only. Employees get `outline_diff` through `chorus.policy.visibility.employee_diff`,
which compares only the text they read. Render either with `policy/_diff.html` (context `diff`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from chorus.policy.documents import Outline, OutlineRule
from chorus.policy.lints.base import section_label
from chorus.screening.policy import Policy

# Words keep their trailing space, so a run of changed words reads as one <del>/<ins>.
_TOKEN = re.compile(r"\w+\s*|[^\w\s]\s*|\s+")
RULE_FIELDS = (
    ("title", "Title"),
    ("text", "Text employees read"),
    ("enabled", "Switched on"),
    ("severity", "Severity"),
    ("rationale", "Rationale"),
    ("params", "Parameters"),
)
# Changes to these fields change what employees must do, so they suggest "material".
MATERIAL_FIELDS = {"text", "enabled", "severity", "params"}


def word_diff(old: str, new: str) -> tuple[SafeString, SafeString]:
    """(old with <del>, new with <ins>), both HTML-escaped, diffed on words and punctuation."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    left: list[str] = []
    right: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        old_part, new_part = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if op == "equal":
            left.append(old_part)
            right.append(new_part)
            continue
        if old_part:
            left.append(f"<del>{old_part}</del>")
        if new_part:
            right.append(f"<ins>{new_part}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 - escaped above


def _show(value: Any) -> str:
    if value is None:
        return "(default)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_show(v)}" for k, v in value.items()) or "(none)"
    return str(value)


@dataclass
class FieldChange:
    label: str
    old: SafeString
    new: SafeString
    key: str = ""


@dataclass
class RuleChange:
    id: str
    title: str
    kind: str  # added | removed | changed
    changes: list[FieldChange] = field(default_factory=list)
    old_text: str = ""
    new_text: str = ""


@dataclass
class VersionDiff:
    """All differences between two documents; empty lists mean "no change"."""

    old_label: str
    new_label: str
    title: FieldChange | None
    sections: list[FieldChange]
    rules: list[RuleChange]
    settings: list[FieldChange]

    @property
    def is_empty(self) -> bool:
        return not (self.title or self.sections or self.rules or self.settings)

    @property
    def suggests_material(self) -> bool:
        """True when a rule was added, removed or changed in what it asks of employees."""
        for rule in self.rules:
            if rule.kind != "changed" or any(c.key in MATERIAL_FIELDS for c in rule.changes):
                return True
        return False

    @property
    def counts(self) -> dict[str, int]:
        return {
            "added": sum(r.kind == "added" for r in self.rules),
            "removed": sum(r.kind == "removed" for r in self.rules),
            "changed": sum(r.kind == "changed" for r in self.rules),
            "sections": len(self.sections),
            "settings": len(self.settings),
        }


def _change(label: str, old: Any, new: Any, key: str = "") -> FieldChange | None:
    if old == new:
        return None
    left, right = word_diff(_show(old), _show(new))
    return FieldChange(label, left, right, key)


def document_diff(
    old: dict[str, Any], new: dict[str, Any], *, old_label: str = "Before", new_label: str = "After"
) -> VersionDiff:
    a, b = Policy.from_dict(old), Policy.from_dict(new)
    title = _change("Title", a.title, b.title, "title")
    sections = []
    for key in list(a.sections) + [k for k in b.sections if k not in a.sections]:
        change = _change(section_label(key), a.sections.get(key, ""), b.sections.get(key, ""), key)
        if change:
            sections.append(change)
    old_rules = {r.id: r for r in a.effective_rules()}
    new_rules = {r.id: r for r in b.effective_rules()}
    rules = []
    for rule_id in list(old_rules) + [r for r in new_rules if r not in old_rules]:
        before, after = old_rules.get(rule_id), new_rules.get(rule_id)
        if after is None and before is not None:
            rules.append(
                RuleChange(rule_id, before.title or rule_id, "removed", old_text=before.text or "")
            )
        elif before is None and after is not None:
            rules.append(
                RuleChange(rule_id, after.title or rule_id, "added", new_text=after.text or "")
            )
        elif before is not None and after is not None:
            changes = [
                c
                for key, label in RULE_FIELDS
                if (c := _change(label, getattr(before, key), getattr(after, key), key))
            ]
            if changes:
                rules.append(RuleChange(rule_id, after.title or rule_id, "changed", changes))
    settings = []
    pairs = [
        ("Preset", a.preset, b.preset),
        ("Organization name", a.organization.name, b.organization.name),
        ("Aliases", a.organization.aliases, b.organization.aliases),
        ("Products", a.organization.products, b.organization.products),
        ("Ticker", a.organization.ticker, b.organization.ticker),
        ("Jurisdictions", a.organization.jurisdictions, b.organization.jurisdictions),
        ("Customers", a.entities.customers, b.entities.customers),
        ("Competitors", a.entities.competitors, b.entities.competitors),
        ("Codenames", a.entities.codenames, b.entities.codenames),
        ("Unreleased products", a.entities.unreleased, b.entities.unreleased),
        ("Executives", a.entities.executives, b.entities.executives),
        ("Allowlist", a.allowlist, b.allowlist),
        ("Disclosure hashtags", a.disclosure.hashtags, b.disclosure.hashtags),
        ("Disclosure phrases", a.disclosure.phrases, b.disclosure.phrases),
        (
            "Disclosure required for advocacy",
            a.disclosure.required_for_advocacy,
            b.disclosure.required_for_advocacy,
        ),
        ("Disclaimer", a.disclosure.disclaimer, b.disclosure.disclaimer),
        ("Languages", a.languages, b.languages),
        ("Block threshold", a.thresholds.block, b.thresholds.block),
        ("Warn threshold", a.thresholds.warn, b.thresholds.warn),
    ]
    for label, old_value, new_value in pairs:
        change = _change(label, old_value, new_value)
        if change:
            settings.append(change)
    return VersionDiff(old_label, new_label, title, sections, rules, settings)


def outline_diff(
    old: Outline, new: Outline, *, old_label: str = "Before", new_label: str = "After"
) -> VersionDiff:
    """Differences in what employees read (two outlines): the title, the organization's name,
    sections, the enabled rules' titles and texts, disclosure hashtags and the disclaimer.

    An outline holds no screening configuration (entity lists, thresholds, allow-list, rule
    parameters), so neither can this diff.
    """
    title = _change("Title", old.title, new.title, "title")
    old_sections = {s.key: s for s in [*old.leading, *old.trailing]}
    new_sections = {s.key: s for s in [*new.leading, *new.trailing]}
    sections = []
    for key in list(old_sections) + [k for k in new_sections if k not in old_sections]:
        before, after = old_sections.get(key), new_sections.get(key)
        shown = after or before
        label = shown.heading if shown else key
        change = _change(label, before.text if before else "", after.text if after else "", key)
        if change:
            sections.append(change)
    old_rules: dict[str, OutlineRule] = {r.id: r for r in [*old.rules, *old.guidance]}
    new_rules: dict[str, OutlineRule] = {r.id: r for r in [*new.rules, *new.guidance]}
    rules = []
    for rule_id in list(old_rules) + [r for r in new_rules if r not in old_rules]:
        was, now = old_rules.get(rule_id), new_rules.get(rule_id)
        if now is None and was is not None:
            rules.append(RuleChange(rule_id, was.title, "removed", old_text=was.text))
        elif was is None and now is not None:
            rules.append(RuleChange(rule_id, now.title, "added", new_text=now.text))
        elif was is not None and now is not None:
            changes = [
                c
                for key, label in (("title", "Title"), ("text", "Text employees read"))
                if (c := _change(label, getattr(was, key), getattr(now, key), key))
            ]
            if changes:
                rules.append(RuleChange(rule_id, now.title, "changed", changes))
    settings = [
        c
        for c in (
            _change("Organization name", old.organization, new.organization),
            _change("Disclosure hashtags", list(old.hashtags), list(new.hashtags)),
            _change("Disclaimer", old.disclaimer, new.disclaimer),
        )
        if c
    ]
    return VersionDiff(old_label, new_label, title, sections, rules, settings)


def version_labels(old: Any, new: Any) -> tuple[str, str]:
    """Column headings for a diff of two PolicyVersion instances."""
    same_policy = old.policy_id == new.policy_id

    def label(version: Any) -> str:
        name = "Version" if same_policy else f"{version.policy.title}, version"
        return f"{name} {version.number} ({version.get_status_display().lower()})"

    return label(old), label(new)


def version_diff(old: Any, new: Any) -> VersionDiff:
    """Differences from version `old` to version `new` (PolicyVersion instances), screening
    configuration included: for policy staff only (see `chorus.policy.visibility`)."""
    old_label, new_label = version_labels(old, new)
    return document_diff(old.document, new.document, old_label=old_label, new_label=new_label)
