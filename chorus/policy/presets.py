"""Preset policies (strict, balanced, loose): complete starting points an author then edits.

Rules come from the screening rule catalog (`chorus.screening.catalog`), so one catalog feeds
both what employees read and what the engine checks. A preset document writes every rule out in
full (enabled, severity, title, text, rationale, params): once a version is published its text
must not change when the catalog is updated, because employees attested to that exact text.

Strictness changes coverage and severities, never adds overbroad prohibitions (research
"Policy presets": the NLRA and state-law limits do not relax for strict presets). Every preset
passes every lint in every jurisdiction (see tests/test_presets.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chorus.screening.catalog import PRESETS, preset_rules
from chorus.screening.policy import Policy


@dataclass(frozen=True)
class PresetInfo:
    key: str
    label: str
    summary: str
    document_title: str


PRESET_INFO: dict[str, PresetInfo] = {
    "strict": PresetInfo(
        "strict",
        "Strict",
        "For regulated or listed companies: every rule on, lower block threshold, disclosure "
        "required on every advocacy share, regulated-claims rule on.",
        "Social media policy",
    ),
    "balanced": PresetInfo(
        "balanced",
        "Balanced",
        "The recommended default: secrets, personal data and confidential information block; "
        "everything else is a warning or a coaching note.",
        "Social media policy",
    ),
    "loose": PresetInfo(
        "loose",
        "Loose",
        "Guidelines for a small or informal team: only the serious rules block, most others "
        "are coaching notes, regulated claims off.",
        "Social media guidelines",
    ),
}

RIGHTS = (
    "Nothing in this policy restricts your right to discuss pay, hours or working conditions "
    "with anyone, to organize, or to criticize {org}.\n\n"
    "Nothing in this policy prevents you from discussing or disclosing information about "
    "unlawful acts in the workplace, such as harassment or discrimination or any other conduct "
    "that you have reason to believe is unlawful.\n\n"
    "Nothing in this policy prevents you from reporting possible violations of law to a "
    "government agency such as the NLRB, EEOC, SEC or OSHA, to a court or to an attorney, or "
    "from taking part in an investigation.\n\n"
    "Under the Defend Trade Secrets Act (18 U.S.C. § 1833(b)) you will not be held liable under "
    "any trade secret law for disclosing a trade secret in confidence to a government official "
    "or an attorney solely to report or investigate a suspected violation of law, or in a "
    "complaint or other document filed under seal in a lawsuit."
)

ENFORCEMENT = (
    "If a post may break this policy, a person looks at it before anything happens: we "
    "establish the facts and hear your side, and most questions end with a friendly note. Any "
    "disciplinary step follows our disciplinary procedure: you get the allegation in writing, a "
    "meeting where you may bring a colleague or union representative, and the right to appeal. "
    "Protected activity, such as discussing pay or working conditions, is never a reason for "
    "discipline."
)

SECTIONS: dict[str, dict[str, str]] = {
    "strict": {
        "purpose": (
            "This policy explains how to use social media when a post mentions {org}, our "
            "products, customers or colleagues. We are a regulated business: it protects "
            "confidential and market-sensitive information, our customers' data and each "
            "other, and it helps you promote our work honestly and lawfully."
        ),
        "scope": (
            "It applies to everyone who works for {org}, on any network, on personal and "
            "company accounts alike, whenever a post identifies you with {org} or concerns "
            "our business, colleagues or customers."
        ),
    },
    "balanced": {
        "purpose": (
            "This policy explains how to use social media when a post mentions {org}, our "
            "products, customers or colleagues. It protects confidential information, our "
            "customers and each other, and helps you talk about our work with confidence."
        ),
        "scope": (
            "It applies to everyone who works for {org}, on any network, whenever a post "
            "identifies you with {org} or concerns our business, colleagues or customers. What "
            "you do lawfully in your own time is your business."
        ),
    },
    "loose": {
        "purpose": (
            "These guidelines help you post about {org}, our products and your work with "
            "confidence. Only a few things are off-limits; the rest is friendly advice."
        ),
        "scope": (
            "They apply to everyone who works for {org} when a post identifies you with {org} "
            "or concerns our business, colleagues or customers."
        ),
    },
}

CONTACT = (
    "Questions about a post? Ask the Communications team or the Legal team, or use “Check my "
    "post” in Chorus before you publish. Asking is always optional."
)


REGISTERED_REPS = (
    "If you are a registered representative, discuss client business only on channels the "
    "firm archives. A principal must pre-approve any profile, bio or page that mentions the "
    "firm's products or services, and again whenever you change it. Registered "
    "representatives certify every year that they have read and follow this policy."
)


def preset_choices() -> list[PresetInfo]:
    return [PRESET_INFO[key] for key in PRESETS]


def _fill(text: str, org: str, hashtag: str) -> str:
    # The catalog's examples name the demo company; each organization sees its own name.
    text = text.replace("#NorthwindEmployee", hashtag).replace(
        "I work at Northwind", f"I work at {org}"
    )
    return text.replace("{org}", org)


def preset_document(
    preset: str,
    *,
    organization_name: str,
    jurisdictions: Iterable[str] | None = None,
    title: str | None = None,
) -> dict[str, Any]:
    """The full policy document for `preset`, in canonical form (`Policy.to_dict()`).

    Raises ValueError for an unknown preset.
    """
    if preset not in PRESET_INFO:
        raise ValueError(f"Unknown preset {preset!r}; choose one of {', '.join(PRESETS)}.")
    org = organization_name.strip()
    hashtag = (
        "#" + "".join(ch for ch in org.split()[0] if ch.isalnum()) + "Employee"
        if org
        else "#Employee"
    )
    rules = []
    for rule in preset_rules(preset):
        item: dict[str, Any] = {
            "id": rule.id,
            "category": rule.category,
            "enabled": rule.enabled,
            "severity": rule.severity,
            "title": _fill(rule.title or rule.id, org, hashtag),
            "text": _fill(rule.text or "", org, hashtag),
            "rationale": rule.rationale or "",
        }
        if rule.params:
            item["params"] = dict(rule.params)
        rules.append({k: v for k, v in item.items() if v != ""})
    organization: dict[str, Any] = {"name": org}
    if jurisdictions:
        organization["jurisdictions"] = [j.strip().upper() for j in jurisdictions if j.strip()]
    sections = {
        **{k: _fill(v, org, hashtag) for k, v in SECTIONS[preset].items()},
        "your_rights": _fill(RIGHTS, org, hashtag),
        "enforcement": ENFORCEMENT,
        "contact": CONTACT,
    }
    document: dict[str, Any] = {
        "schema": 1,
        "title": title or PRESET_INFO[preset].document_title,
        "organization": organization,
        "preset": preset,
        "disclosure": {"hashtags": [hashtag]},
        "rules": rules,
        "sections": sections,
    }
    if preset == "strict":
        sections["registered_representatives"] = REGISTERED_REPS
    if preset in ("strict", "balanced"):
        document["disclosure"]["required_for_advocacy"] = True
    return Policy.from_dict(document).to_dict()
