"""Data rights for the audit trail (see chorus.privacy.registry)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from chorus.audit.models import AuditEntry, AuditPseudonym

EXPORT_ORDER = 1000  # last: the trail of everything above

AUDIT_REASON = (
    "The audit trail is append-only and hash-chained: changing or removing an entry would break "
    "the chain that proves the record of who did what is complete (GDPR Art. 5(2) "
    "accountability, Art. 17(3)(b) and (e)). The entries stay unchanged; the person is "
    "pseudonymized by reference instead: every page shows them as their pseudonym."
)


def _entries(person: Any) -> QuerySet[AuditEntry]:
    refs = Q(target_type="people.person", target_id=str(person.pk))
    if person.user_id:
        refs |= Q(actor_id=person.user_id) | Q(
            target_type="people.user", target_id=str(person.user_id)
        )
    return AuditEntry.objects.filter(organization_id=person.organization_id).filter(refs)


def pseudonym_for(person: Any) -> str:
    return f"Erased person #{person.pk}"


def export_person_data(person: Any) -> list[Any]:
    from chorus.privacy.registry import Section

    records = [
        {
            "#": e.seq,
            "when": e.created_at,
            "action": e.action,
            "by": e.actor_label,
            "object": e.target_label,
        }
        for e in _entries(person).order_by("seq")
    ]
    return [
        Section(
            "Audit trail entries about you or by you",
            records,
            note="Actions recorded in the organization's tamper-evident audit trail.",
        )
    ]


def erase_person_data(person: Any) -> Any:
    from chorus.privacy.registry import Erasure

    outcome = Erasure()
    label = pseudonym_for(person)
    targets = [("people.person", str(person.pk))]
    if person.user_id:
        targets.append(("people.user", str(person.user_id)))
    for target_type, target_id in targets:
        AuditPseudonym.objects.update_or_create(
            organization_id=person.organization_id,
            target_type=target_type,
            target_id=target_id,
            defaults={"label": label},
        )
    outcome.keep("audit trail entries naming this person", _entries(person).count(), AUDIT_REASON)
    return outcome
