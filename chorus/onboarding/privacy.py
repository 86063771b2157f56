"""Data rights for onboarding and attestation (see chorus.privacy.registry)."""

from __future__ import annotations

from typing import Any

ATTESTATION_REASON = (
    "Evidence that this person received and acknowledged the policy: kept unchanged "
    "(append-only) for as long as the organization must be able to show it, for example in a "
    "dispute or an audit (GDPR Art. 17(3)(b) legal obligation and (e) legal claims). The "
    "candidate retention job deletes those of candidates who were not hired."
)


def export_person_data(person: Any) -> list[Any]:
    from chorus.onboarding.models import Assignment, Attestation, PersonOnboarding, Reminder
    from chorus.privacy.registry import Section

    sections = []
    onboarding = PersonOnboarding.objects.filter(person=person).first()
    if onboarding is not None:
        sections.append(
            Section(
                "Your onboarding",
                [
                    {
                        "stage": onboarding.get_stage_display(),
                        "since": onboarding.stage_changed_at,
                        "not hired": onboarding.not_hired_at,
                    }
                ]
                + [
                    {
                        "moved from": c.from_stage or "new",
                        "to": c.to_stage,
                        "when": c.at,
                        "note": c.note,
                    }
                    for c in onboarding.changes.all()
                ],
            )
        )
    assignments = Assignment.objects.filter(person=person).select_related("campaign", "version")
    sections.append(
        Section(
            "Policy acknowledgments asked of you",
            [
                {
                    "campaign": a.campaign.name,
                    "version": a.version.number,
                    "status": a.status,
                    "assigned": a.assigned_at,
                    "due": a.due_at,
                    "completed": a.completed_at,
                }
                for a in assignments.order_by("assigned_at")
            ],
        )
    )
    sections.append(
        Section(
            "Your policy acknowledgments (attestations)",
            [
                {
                    "policy": a.policy_title,
                    "version": a.version_number,
                    "when": a.attested_at,
                    "name recorded": a.person_name,
                    "e-mail recorded": a.person_email,
                    "statement": a.statement,
                    "how": a.get_channel_display(),
                    "language": a.language,
                    "quiz": f"{a.quiz_correct}/{a.quiz_total}" if a.quiz_total else "",
                    "SHA-256 of the text shown": a.text_sha256,
                }
                for a in Attestation.objects.filter(person=person).order_by("attested_at")
            ],
        )
    )
    sections.append(
        Section(
            "E-mails sent to you about acknowledgments",
            [
                {"kind": r.get_kind_display(), "to": r.recipient_email, "when": r.created_at}
                for r in Reminder.objects.filter(assignment__person=person).order_by("created_at")
            ],
        )
    )
    return sections


def erase_person_data(person: Any) -> Any:
    from chorus.onboarding.models import (
        Assignment,
        Attestation,
        AttestationLink,
        PersonOnboarding,
        Reminder,
    )
    from chorus.privacy.registry import Erasure

    outcome = Erasure()
    deleted, _ = Reminder.objects.filter(assignment__person=person).delete()
    outcome.erase("acknowledgment e-mails sent", deleted)
    deleted, _ = AttestationLink.objects.filter(assignment__person=person).delete()
    outcome.erase("personal acknowledgment links", deleted)
    evidenced = (
        Attestation.objects.filter(person=person).exclude(assignment=None).values("assignment_id")
    )
    open_ones = Assignment.objects.filter(person=person).exclude(pk__in=evidenced)
    deleted, _ = open_ones.delete()
    outcome.erase("acknowledgment requests without an acknowledgment", deleted)
    deleted, _ = PersonOnboarding.objects.filter(person=person).delete()
    outcome.erase("onboarding stage and its history", deleted)
    kept = Attestation.objects.filter(person=person).count()
    outcome.keep(
        "policy acknowledgments (attestations), with the name and e-mail recorded at the time",
        kept,
        ATTESTATION_REASON,
    )
    outcome.keep(
        "acknowledgment requests that were answered",
        Assignment.objects.filter(person=person).count(),
        "They are part of the attestation evidence above.",
    )
    return outcome
