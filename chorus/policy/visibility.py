"""What of a policy each reader may see: the one place that decides it.

A policy document holds two kinds of content:

- **the text employees read**: the title, the organization's name, the sections, the enabled
  rules' titles and texts, the disclosure hashtags and the suggested disclaimer. That is exactly
  `chorus.policy.documents.document_outline`, the published page and `plain_text()`; everyone in
  the organization reads it, candidates (through their personal link) included;
- **the screening configuration**: the entity lists (customers, competitors, codenames,
  unreleased products, executives), the organization's aliases, products and ticker, the
  allow-list, thresholds, the preset, languages and every rule's parameters, severity and
  rationale. Those are often secrets in their own right (an unreleased product's name, a
  customer under NDA), so only the staff who author or review the policy (`can_author`:
  communications, legal, administrators) see them.

Every employee-facing page, diff, e-mail, export and API response goes through this module:
`employee_document()` for a document, `employee_diff()` for "what changed", and
`can_see_screening_config()` to pick between the two.
"""

from __future__ import annotations

import re
from typing import Any

from chorus.policy.diff import VersionDiff, outline_diff, version_labels
from chorus.policy.documents import document_outline
from chorus.policy.selectors import can_author
from chorus.screening.policy import Policy

# The entity lists whose names are confidential: they must never appear in text that employees
# read (the change summary, sections, rule texts). Competitors are public by nature.
PROTECTED_LISTS = (
    ("unreleased", "unreleased products"),
    ("codenames", "codenames"),
    ("customers", "customers"),
    ("executives", "executives"),
)


def can_see_screening_config(user: Any) -> bool:
    """True for the staff who author or review the policy (communications, legal, admin)."""
    return can_author(user)


def employee_document(document: dict[str, Any]) -> dict[str, Any]:
    """The employee-visible part of a policy document, as a plain dict.

    Built from the outline employees read, so nothing of the screening configuration can reach
    it: `title`, `organization.name`, `sections` (key -> text), `rules` (the enabled rules with a
    text: `id`, `title`, `text`, `category`, `guidance`) and `disclosure` (`hashtags`,
    `disclaimer`).
    """
    outline = document_outline(document)
    return {
        "title": outline.title,
        "organization": {"name": outline.organization},
        "sections": {s.key: s.text for s in [*outline.leading, *outline.trailing]},
        "rules": [
            {
                "id": r.id,
                "title": r.title,
                "text": r.text,
                "category": r.category,
                "guidance": r.is_guidance,
            }
            for r in [*outline.rules, *outline.guidance]
        ],
        "disclosure": {"hashtags": list(outline.hashtags), "disclaimer": outline.disclaimer},
    }


def document_for(user: Any, document: dict[str, Any]) -> dict[str, Any]:
    """The whole document for policy staff, the employee-visible part for everyone else."""
    return document if can_see_screening_config(user) else employee_document(document)


def employee_diff(old: Any, new: Any) -> VersionDiff:
    """What changed from version `old` to version `new` in the text employees read (the
    re-attestation "What changed" page). Screening configuration never appears in it."""
    old_label, new_label = version_labels(old, new)
    return outline_diff(
        document_outline(old.document),
        document_outline(new.document),
        old_label=old_label,
        new_label=new_label,
    )


def protected_names(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, list label) for every confidential name the document's entity lists hold."""
    entities = Policy.from_dict(document).entities
    return [(name, label) for key, label in PROTECTED_LISTS for name in getattr(entities, key)]


def protected_names_in(document: dict[str, Any], text: str) -> list[tuple[str, str]]:
    """The confidential names (see `protected_names`) that `text` mentions, as whole words and
    ignoring case, in the order of the entity lists."""
    found = []
    for name, label in protected_names(document):
        if name.strip() and re.search(
            rf"(?<!\w){re.escape(name.strip())}(?!\w)", text or "", re.IGNORECASE
        ):
            found.append((name, label))
    return found
