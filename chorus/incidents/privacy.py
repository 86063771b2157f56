"""Data rights for incidents (see chorus.privacy.registry).

An incident under a legal hold, still open, or closed within its retention period is kept,
each with the reason. A closed incident past retention (and not on hold) is deleted with its
evidence, its timeline and its files: nothing then requires it.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

DEFAULT_RETENTION_DAYS = 365  # as the evidence purge uses without a matrix


def _retention_end(incident: Any) -> Any:
    days = incident.matrix.retention_days if incident.matrix else DEFAULT_RETENTION_DAYS
    return incident.closed_at + timedelta(days=days) if incident.closed_at else None


def export_person_data(person: Any) -> list[Any]:
    from chorus.incidents.models import Incident
    from chorus.privacy.registry import Section

    records = []
    for incident in (
        Incident.objects.filter(subject=person).prefetch_related("evidence").order_by("opened_at")
    ):
        records.append(
            {
                "incident": incident.reference,
                "title": incident.title,
                "opened": incident.opened_at,
                "status": incident.get_status_display(),
                "what you were told": incident.notice_text,
                "told on": incident.notified_at,
                "your response": incident.employee_response,
                "responded on": incident.responded_at,
                "decision": incident.get_outcome_display() if incident.outcome else "",
                "decided on": incident.decided_at,
                "closed on": incident.closed_at,
                "evidence items (kind, SHA-256)": "; ".join(
                    f"{e.get_kind_display()} {e.sha256}" for e in incident.evidence.all()
                ),
            }
        )
    return [
        Section(
            "Incidents about you",
            records,
            note="Reviewers' notes and the evidence itself are available from HR on "
            "request, subject to the rights of others (GDPR Art. 15(4)).",
        )
    ]


def erase_person_data(person: Any) -> Any:
    from django.db import transaction
    from django.utils import timezone

    from chorus.incidents.models import Evidence, Incident
    from chorus.privacy.registry import Erasure

    outcome = Erasure()
    now = timezone.now()
    expired_ids, files = [], []
    for incident in Incident.objects.filter(subject=person).select_related("matrix"):
        if incident.legal_hold:
            outcome.keep(
                f"{incident.reference} (with its evidence)",
                1,
                f"Legal hold: {incident.legal_hold_reason or 'set by legal'}. Nothing "
                "under a hold may be erased until legal releases it "
                "(GDPR Art. 17(3)(e)).",
            )
        elif incident.status != Incident.Status.CLOSED:
            outcome.keep(
                f"{incident.reference} (open case)",
                1,
                "An open case about this person's conduct: kept until it is decided "
                "and closed (GDPR Art. 17(3)(e) legal claims).",
            )
        elif (end := _retention_end(incident)) and end > now:
            outcome.keep(
                f"{incident.reference} (closed)",
                1,
                f"The organization's retention period for incident records runs "
                f"until {end:%Y-%m-%d} (response matrix); it is erased after that "
                "(GDPR Art. 17(3)(e)).",
            )
        else:
            expired_ids.append(incident.pk)
            files += [
                e.file.name for e in Evidence.objects.filter(incident=incident) if e.file.name
            ]
    if expired_ids:
        Incident.objects.filter(pk__in=expired_ids).delete()
        outcome.erase(
            "closed incidents past retention, with evidence and timeline", len(expired_ids)
        )
        storage = Evidence._meta.get_field("file").storage
        transaction.on_commit(partial(_delete_files, storage, files))
    return outcome


def _delete_files(storage: Any, names: list[str]) -> None:
    for name in names:
        storage.delete(name)
