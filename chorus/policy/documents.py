"""Policy documents as stored: normalization and the outline employees read.

Every document stored in a `PolicyVersion` goes through `normalize_document`: it is validated
by `chorus.screening.policy` (the one schema) and every rule is written out in full, so what
employees read never depends on later catalog changes and YAML export → import → export is
byte-identical.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chorus.policy.lints.base import section_label
from chorus.screening.policy import Policy, PolicyError

# Sections shown before the rules; every other section follows them, "contact" last.
LEADING_SECTIONS = ("purpose", "scope")
TRAILING_LAST = ("contact",)
# Reading order of the sections Chorus writes; other sections follow alphabetically. Stored
# documents cannot carry an order of their own: PostgreSQL's jsonb does not keep key order.
SECTION_ORDER = (
    "purpose", "scope", "your_rights", "enforcement", "monitoring", "registered_representatives",
    "disclosure_channels",
)  # fmt: skip


def section_sort_key(key: str) -> tuple[int, int, str]:
    if key in TRAILING_LAST:
        return (2, 0, key)
    if key in SECTION_ORDER:
        return (0, SECTION_ORDER.index(key), key)
    return (1, 0, key)


def _sorted_mapping(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted_mapping(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_mapping(v) for v in value]
    return value


def canonical_order(document: dict[str, Any]) -> dict[str, Any]:
    """The same document with a deterministic order for its free-form mappings (sections in
    reading order, rule parameters sorted), so export and reading order never depend on the
    database."""
    out = dict(document)
    if "sections" in out:
        out["sections"] = {
            k: out["sections"][k] for k in sorted(out["sections"], key=section_sort_key)
        }
    if "rules" in out:
        rules = []
        for rule in out["rules"]:
            rule = dict(rule)
            if "params" in rule:
                rule["params"] = _sorted_mapping(rule["params"])
            rules.append(rule)
        out["rules"] = rules
    return out


def normalize_document(data: Any, *, source: str = "<policy>") -> dict[str, Any]:
    """Validate `data` and return its canonical form with every rule resolved.

    Raises `chorus.screening.policy.PolicyError` (with `.field`) when the document is invalid.
    """
    policy = Policy.from_dict(data, source=source)
    rules = []
    for rule in policy.effective_rules():
        item: dict[str, Any] = {
            "id": rule.id,
            "category": rule.category,
            "enabled": rule.enabled,
            "severity": rule.severity,
            "title": rule.title,
            "text": rule.text,
            "rationale": rule.rationale,
        }
        if rule.params:
            item["params"] = rule.params
        # Empty strings are not valid document values; they mean "not written".
        rules.append({k: v for k, v in item.items() if v not in ("", None)})
    document = policy.to_dict()
    document["rules"] = rules
    return canonical_order(Policy.from_dict(document, source=source).to_dict())


@dataclass(frozen=True)
class OutlineRule:
    id: str
    title: str
    text: str
    category: str
    severity: str
    is_guidance: bool


@dataclass(frozen=True)
class OutlineSection:
    key: str
    heading: str
    text: str

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.text.split("\n\n") if p.strip()]


@dataclass(frozen=True)
class Outline:
    """What employees read, in reading order."""

    title: str
    organization: str
    leading: list[OutlineSection]
    rules: list[OutlineRule]
    guidance: list[OutlineRule]
    trailing: list[OutlineSection]
    hashtags: tuple[str, ...]
    disclaimer: str


def document_outline(document: dict[str, Any]) -> Outline:
    policy = Policy.from_dict(document)
    sections = {k: v for k, v in policy.sections.items() if v.strip()}
    leading = [
        OutlineSection(k, section_label(k), sections[k]) for k in LEADING_SECTIONS if k in sections
    ]
    rest = sorted((k for k in sections if k not in LEADING_SECTIONS), key=section_sort_key)
    trailing = [OutlineSection(k, section_label(k), sections[k]) for k in rest]
    rules: list[OutlineRule] = []
    guidance: list[OutlineRule] = []
    for rule in policy.effective_rules():
        if not rule.enabled or not (rule.text or "").strip():
            continue
        item = OutlineRule(
            id=rule.id,
            title=rule.title or rule.id,
            text=rule.text or "",
            category=rule.category or "",
            severity=rule.severity or "",
            is_guidance=rule.is_guidance,
        )
        (guidance if rule.is_guidance else rules).append(item)
    return Outline(
        title=policy.title or "Social media policy",
        organization=policy.organization.name,
        leading=leading,
        rules=rules,
        guidance=guidance,
        trailing=trailing,
        hashtags=policy.effective_hashtags(),
        disclaimer=policy.disclosure.disclaimer or "",
    )


def document_plain_text(document: dict[str, Any]) -> str:
    """The outline as plain text, in the order the published page shows it."""
    outline = document_outline(document)
    lines = [outline.title, outline.organization, ""]
    for section in outline.leading:
        lines += [section.heading, section.text, ""]
    if outline.rules:
        lines.append("Rules")
        for n, rule in enumerate(outline.rules, start=1):
            lines += [f"{n}. {rule.title}", rule.text]
        lines.append("")
    if outline.guidance:
        lines.append("Your rights and our commitments")
        for rule in outline.guidance:
            lines += [rule.title, rule.text]
        lines.append("")
    if outline.hashtags:
        lines += ["How to disclose that you work here", ", ".join(outline.hashtags), ""]
    if outline.disclaimer:
        lines += ["Suggested disclaimer", outline.disclaimer, ""]
    for section in outline.trailing:
        lines += [section.heading, section.text, ""]
    return "\n".join(lines).strip() + "\n"


class FixError(ValueError):
    """A lint suggestion can no longer be applied (the text changed meanwhile)."""


def _rule_entry(document: dict[str, Any], rule_id: str) -> dict[str, Any]:
    rules = document.setdefault("rules", [])
    for rule in rules:
        if rule.get("id") == rule_id:
            return rule
    entry: dict[str, Any] = {"id": rule_id}
    rules.append(entry)
    return entry


def apply_fix(document: dict[str, Any], fix: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of `document` with one lint suggestion applied (see lints `apply`).

    `rewrite` replaces the flagged sentence with the suggestion, `append` adds the suggestion
    to a section, `set` changes one rule setting. Raises FixError if the flagged text is gone.
    """
    doc = json_copy(document)
    kind = fix.get("kind")
    if kind == "rewrite":
        path: str = fix["path"]
        if path.startswith("sections."):
            key = path.split(".", 1)[1]
            current = doc.get("sections", {}).get(key, "")
            doc.setdefault("sections", {})[key] = _replace_sentence(current, fix)
        elif path == "disclosure.disclaimer":
            current = doc.get("disclosure", {}).get("disclaimer", "")
            doc.setdefault("disclosure", {})["disclaimer"] = _replace_sentence(current, fix)
        elif fix.get("rule_id"):
            entry = _rule_entry(doc, fix["rule_id"])
            current = entry.get("text") or _effective_text(document, fix["rule_id"])
            entry["text"] = _replace_sentence(current, fix)
        else:
            raise FixError(f"Cannot apply a suggestion to {path}.")
    elif kind == "append":
        sections = doc.setdefault("sections", {})
        existing = (sections.get(fix["section"]) or "").rstrip()
        addition = _not_yet_said(existing, fix["text"])
        if addition:
            sections[fix["section"]] = f"{existing}\n\n{addition}" if existing else addition
    elif kind == "set":
        _rule_entry(doc, fix["rule_id"])[fix["attr"]] = fix["value"]
    elif kind == "set_disclosure":
        doc.setdefault("disclosure", {})[fix["attr"]] = fix["value"]
    else:
        raise FixError("This suggestion has to be applied by hand.")
    return normalize_document(doc)


def _not_yet_said(existing: str, text: str) -> str:
    """The sentences of `text` that `existing` does not already say (issue 17: appending a
    model clause to a section that already has it must not make it repeat itself)."""
    if text in existing:
        return ""
    said = [s for s in _SENTENCE_SPLIT.split(existing) if s.strip()]
    new = [s for s in _SENTENCE_SPLIT.split(text.strip()) if s.strip()]
    return " ".join(s for s in new if not any(_says_the_same(s, t) for t in said))


def fix_preview(document: dict[str, Any], fix: dict[str, Any]) -> str:
    """The text of the field a suggestion changes, as it will read after applying it ("" when
    the suggestion changes a setting rather than text, or cannot be applied any more)."""
    try:
        fixed = apply_fix(document, fix)
    except (FixError, PolicyError):
        return ""
    kind = fix.get("kind")
    if kind == "append":
        return str(fixed.get("sections", {}).get(fix["section"], ""))
    if kind == "rewrite":
        path: str = fix["path"]
        if path.startswith("sections."):
            return str(fixed.get("sections", {}).get(path.split(".", 1)[1], ""))
        if path == "disclosure.disclaimer":
            return str(fixed.get("disclosure", {}).get("disclaimer", ""))
        if fix.get("rule_id"):
            return _effective_text(fixed, fix["rule_id"])
    return ""


def _effective_text(document: dict[str, Any], rule_id: str) -> str:
    for rule in Policy.from_dict(document).effective_rules():
        if rule.id == rule_id:
            return rule.text or ""
    return ""


_WORDS = re.compile(r"[a-z0-9']+")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")


def _words(sentence: str) -> set[str]:
    return {w for w in _WORDS.findall(sentence.lower()) if len(w) > 2}


def _says_the_same(a: str, b: str) -> bool:
    """Two sentences that share most of their words (the model rule restating the author's)."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    return len(wa & wb) / min(len(wa), len(wb)) >= 0.6


def _without_repeats(before: str, replacement: str, after: str) -> str:
    """`before + replacement + after`, minus sentences of before/after that the replacement
    already says, so applying a model rule never leaves the rule repeating itself (issue 17)."""
    said = [s for s in _SENTENCE_SPLIT.split(replacement.strip()) if s]

    def keep(part: str) -> str:
        # Remove repeated sentences in place, so paragraphs and line breaks survive.
        for sentence in [s for s in _SENTENCE_SPLIT.split(part) if s.strip()]:
            if any(_says_the_same(sentence, t) for t in said):
                part = part.replace(sentence, "", 1)
        return re.sub(r"[ \t]{2,}", " ", part)

    return keep(before) + replacement + keep(after)


def _replace_sentence(text: str, fix: dict[str, Any]) -> str:
    start, end, excerpt = fix.get("start"), fix.get("end"), fix.get("excerpt", "")
    if isinstance(start, int) and isinstance(end, int) and text[start:end] == excerpt:
        return _without_repeats(text[:start], fix["text"], text[end:])
    if excerpt and excerpt in text:
        at = text.index(excerpt)
        return _without_repeats(text[:at], fix["text"], text[at + len(excerpt):])
    raise FixError(
        "The flagged sentence is no longer in the text, so the suggestion was not applied. "
        "Check the lint results again."
    )


def json_copy(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value))
