"""Onboarding settings and the texts they produce: job-ad notice, offer clause, acknowledgment."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from chorus.audit.services import audit_record
from chorus.common.text import possessive
from chorus.onboarding.models import PRESET_INTRODUCE_AT, OnboardingSettings
from chorus.onboarding.services.base import _require_hr
from chorus.people.models import Organization, User
from chorus.policy.models import PolicyVersion


def onboarding_settings_for(*, organization: Organization) -> OnboardingSettings:
    """The organization's settings, or unsaved defaults when it never changed them."""
    found = OnboardingSettings.objects.filter(organization=organization).first()
    return found or OnboardingSettings(organization=organization)


@transaction.atomic
def onboarding_settings_update(*, organization: Organization, actor: User,
                               values: dict[str, Any]) -> OnboardingSettings:
    """Save the organization's onboarding settings and audit what changed."""
    _require_hr(actor, "change onboarding settings")
    current = onboarding_settings_for(organization=organization)
    changed = {}
    for name, value in values.items():
        if getattr(current, name) != value:
            changed[name] = value
            setattr(current, name, value)
    current.save()
    if changed:
        audit_record(organization=organization, actor=actor, action="onboarding.settings_changed",
                     target=current, data={"changed": sorted(changed)})
    return current


def policy_preset(version: PolicyVersion | None) -> str:
    preset = (getattr(version, "document", None) or {}).get("preset", "balanced")
    return preset if preset in PRESET_INTRODUCE_AT else "balanced"


def introduce_stage_for(*, organization: Organization, version: PolicyVersion | None) -> str:
    """The stage at which new hires are asked to acknowledge the policy: the organization's
    override, else what the policy's preset suggests (strict: offer, balanced: pre-boarding,
    loose: first week)."""
    override = onboarding_settings_for(organization=organization).introduce_at
    return override or PRESET_INTRODUCE_AT[policy_preset(version)]


def job_ad_notice(*, organization: Organization, settings_row: OnboardingSettings | None = None
                  ) -> str:
    """A short notice for job ads: what candidates will be asked, and what we never ask."""
    row = settings_row or onboarding_settings_for(organization=organization)
    if row.job_ad_notice.strip():
        return row.job_ad_notice.strip()
    return (
        f"{organization.name} has a social media policy for everyone who works here. If you "
        "receive an offer, we will ask you to read it and confirm that you received it. "
        "We never ask for passwords or access to your personal accounts, and nothing in the "
        "policy limits your right to talk about pay, hours or working conditions."
    )


def offer_clause(*, organization: Organization, version: PolicyVersion | None,
                 settings_row: OnboardingSettings | None = None) -> str:
    """Offer-letter text for the strict preset: acknowledgment of receipt, the employee's
    rights, and the notices the research requires (DTSA for US, §12964.5 for California)."""
    row = settings_row or onboarding_settings_for(organization=organization)
    if row.offer_clause.strip():
        return row.offer_clause.strip()
    version_text = f" (version {version.number})" if version else ""
    parts = [
        "Social media policy. Before your first day you will receive "
        f"{possessive(organization.name)} Social Media Policy{version_text}. "
        "We ask you to read it and confirm that you "
        "received it; the confirmation records receipt and is not consent to any monitoring.",
        "Nothing in the policy or in this letter limits your right to discuss your wages, "
        "hours or other terms and conditions of employment, to act together with co-workers "
        "for mutual aid or protection, or to report a possible violation of law to a "
        "government agency.",
    ]
    jurisdictions = {j.upper() for j in organization.jurisdictions}
    if "US-CA" in jurisdictions:
        parts.append(
            "Nothing in this agreement prevents you from discussing or disclosing information "
            "about unlawful acts in the workplace, such as harassment or discrimination or any "
            "other conduct that you have reason to believe is unlawful."
        )
    if any(j.split("-")[0] == "US" for j in jurisdictions):
        parts.append(
            "Under the Defend Trade Secrets Act (18 U.S.C. § 1833(b)) you are immune from "
            "liability for disclosing a trade secret in confidence to a government official or "
            "an attorney solely to report or investigate a suspected violation of law, or in a "
            "complaint or other document filed under seal in a lawsuit."
        )
    return "\n\n".join(parts)


def acknowledgment_statement(version: PolicyVersion) -> str:
    """What the person confirms: receipt and reading, never blanket agreement or consent."""
    return (
        f"I confirm that I received and read version {version.number} of “{version.policy}” "
        f"(fingerprint {version.content_hash[:12]}). This confirms receipt only; it is not "
        "consent to monitoring, and nothing in the policy limits my right to discuss pay, "
        "hours or working conditions."
    )
