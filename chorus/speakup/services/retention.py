"""Retention per category: closed concerns are erased after their rule's days, with a
deletion log that proves what was erased and when (never the content)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import InvalidInput, PermissionDenied
from chorus.people.models import Organization, User
from chorus.speakup.models import Attachment, Concern, DeletionLog, RetentionRule

DEFAULT_RETENTION_DAYS = 3 * 365  # HinSchG § 11(5): three years after the procedure ends


@transaction.atomic
def retention_rule_save(*, organization: Organization, actor: User, category: str,
                        days: int) -> RetentionRule:
    if not actor.has_role("admin") or actor.organization_id != organization.pk:
        raise PermissionDenied("Only an administrator can set retention schedules.")
    if not 30 <= int(days) <= 3650:
        raise InvalidInput("Keep closed concerns between 30 days and 10 years.", field="days")
    rule, _ = RetentionRule.objects.update_or_create(
        organization=organization, category=category.strip(),
        defaults={"days_after_close": int(days)})
    audit_record(organization=organization, actor=actor, action="speakup.retention_set",
                 target=rule, data={"category": rule.category, "days": rule.days_after_close})
    return rule


def retention_days_for(concern: Concern) -> int:
    rules = {r.category: r.days_after_close
             for r in RetentionRule.objects.filter(organization_id=concern.organization_id)}
    return rules.get(concern.category, rules.get("", DEFAULT_RETENTION_DAYS))


def _content_digest(concern: Concern) -> str:
    payload = {
        "description": concern.description, "answers": concern.answers,
        "people_named": concern.people_named, "identity": concern.identity,
        "messages": [m.body for m in concern.messages.all()],
        "files": [a.sha256 for a in Attachment.objects.filter(message__concern=concern)],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _delete_files(names: list[str]) -> None:
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def concern_purge_expired(*, now: datetime | None = None) -> int:
    """Erase every closed concern past its retention (unless an incident it led to is on
    legal hold). Each erasure runs in its own transaction and leaves a DeletionLog row and an
    audit entry. Safe to repeat: an erased concern no longer exists. Returns the count."""
    now = now or timezone.now()
    erased = 0
    candidates = Concern.objects.filter(status=Concern.Status.CLOSED, closed_at__isnull=False)
    for concern in candidates.iterator():
        days = retention_days_for(concern)
        assert concern.closed_at is not None
        if concern.closed_at + timedelta(days=days) > now or _on_hold(concern):
            continue
        with transaction.atomic():
            locked = Concern.objects.select_for_update().filter(pk=concern.pk).first()
            if locked is None or locked.closed_at is None:
                continue
            files = list(Attachment.objects.filter(message__concern=locked))
            log = DeletionLog.objects.create(
                organization_id=locked.organization_id, reference=locked.reference,
                category=locked.category, received_on=locked.received_at.date(),
                closed_at=locked.closed_at, erased_at=now, retention_days=days,
                key_hash=locked.key_hash, content_sha256=_content_digest(locked),
                erased={"messages": locked.messages.count(), "attachments": len(files),
                        "attachment_sha256": [a.sha256 for a in files],
                        "identity": bool(locked.identity),
                        "identity_requests": locked.identity_requests.count(),
                        "redactions": locked.redactions.count()})
            audit_record(organization=locked.organization, actor=None,
                         action="speakup.erased", target=log,
                         data={"reference": log.reference, "retention_days": days,
                               "content_sha256": log.content_sha256,
                               "attachments": len(files)})
            names = [a.file.name for a in files if a.file.name]
            locked.delete()
            transaction.on_commit(partial(_delete_files, names))
        erased += 1
    return erased


def _on_hold(concern: Concern) -> bool:
    if not concern.incident_ref:
        return False
    from django.apps import apps

    if not apps.is_installed("chorus.incidents"):
        return False
    Incident = apps.get_model("incidents", "Incident")
    return Incident.objects.filter(pk=concern.incident_ref, legal_hold=True).exists()
