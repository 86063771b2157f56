"""Legal hold and the evidence purge after the retention period (the hash stays)."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from chorus.common.errors import InvalidInput
from chorus.incidents.models import Evidence, Incident, IncidentEvent
from chorus.incidents.services.base import _audit, _event, _require_role
from chorus.people.models import User
from chorus.people.roles import Role


@transaction.atomic
def incident_set_legal_hold(*, incident: Incident, actor: User, hold: bool,
                            reason: str) -> Incident:
    """Set or release a legal hold; while set, the retention purge leaves the evidence alone."""
    _require_role(actor, Role.LEGAL, doing="set legal holds")
    if hold and not reason.strip():
        raise InvalidInput("Give the reason for the hold (e.g. the matter it preserves).",
                           field="reason")
    incident.legal_hold, incident.legal_hold_reason = hold, reason.strip()[:300] if hold else ""
    incident.save(update_fields=["legal_hold", "legal_hold_reason", "updated_at"])
    _event(incident, actor, IncidentEvent.Kind.LEGAL_HOLD,
           "Legal hold set" if hold else "Legal hold released", note=reason.strip())
    _audit(incident, actor, "incident.legal_hold_set" if hold else "incident.legal_hold_released",
           reason=reason.strip())
    return incident


def _delete_files(names: list[str]) -> None:
    storage = Evidence._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def evidence_purge_expired(*, now: datetime | None = None) -> int:
    """Delete the content of evidence whose incident closed more than its matrix's
    `retention_days` ago (365 without a matrix), unless a legal hold is set. Hashes and
    metadata stay; each purged incident gets a timeline row and an audit entry. Returns the
    number of incidents purged. Each incident is purged in its own transaction."""
    now = now or timezone.now()
    candidates = (Incident.objects.filter(status=Incident.Status.CLOSED, legal_hold=False,
                                          evidence_purged_at__isnull=True,
                                          closed_at__isnull=False)
                  .select_related("matrix", "organization"))
    purged = 0
    for incident in candidates.iterator():
        days = incident.matrix.retention_days if incident.matrix else 365
        assert incident.closed_at is not None  # the query keeps closed_at__isnull=False only
        if incident.closed_at + timedelta(days=days) > now:
            continue
        with transaction.atomic():
            locked = Incident.objects.select_for_update().get(pk=incident.pk)
            if locked.legal_hold or locked.evidence_purged_at:
                continue
            items = list(locked.evidence.filter(purged_at__isnull=True))
            files = [e.file.name for e in items if e.file.name]
            for evidence in items:
                evidence.text, evidence.url, evidence.purged_at = "", "", now
                evidence.file = ""
                evidence.save(update_fields=["text", "url", "file", "purged_at", "updated_at"])
            locked.evidence_purged_at = now
            locked.save(update_fields=["evidence_purged_at", "updated_at"])
            _event(locked, None, IncidentEvent.Kind.EVIDENCE_PURGED,
                   f"{len(items)} evidence item(s) purged after {days} days of retention")
            _audit(locked, None, "incident.evidence_purged", items=len(items),
                   retention_days=days, hashes=[e.sha256 for e in items])
            # Files go only once the database agrees, so a rollback never loses evidence.
            transaction.on_commit(partial(_delete_files, files))
        purged += 1
    return purged
