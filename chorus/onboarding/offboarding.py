"""Offboarding step of onboarding (see chorus.provisioning.registry): the person is recorded
as a leaver and nobody asks them to attest any more (open assignments are cancelled; the
attestations they gave stay as evidence)."""

from __future__ import annotations

from typing import Any


def offboard_person(person: Any, *, actor: Any, reason: str) -> list[Any]:
    from chorus.onboarding.models import Assignment
    from chorus.people.models import Person
    from chorus.provisioning.registry import Step

    became_leaver = 0
    if person.status != Person.Status.LEAVER:
        person.status = Person.Status.LEAVER
        person.save(update_fields=["status", "updated_at"])
        became_leaver = 1
    cancelled = person.attestation_assignments.filter(
        status=Assignment.Status.PENDING).update(status=Assignment.Status.CANCELLED)
    summary = "You are no longer asked to read or acknowledge policies"
    if cancelled:
        summary += f" ({cancelled} open request{'s' if cancelled != 1 else ''} closed)"
    summary += "."
    if person.attestations.exists():
        summary += (" The acknowledgements you already gave are kept unchanged as the "
                    "organization's record of them.")
    return [Step("onboarding.assignments_closed", "Policy acknowledgements", summary,
                 count=cancelled + became_leaver)]
