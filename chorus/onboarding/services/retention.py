"""Retention: candidates who were not hired are purged when their time is up."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.onboarding.models import Attestation, PersonOnboarding
from chorus.onboarding.services.texts import onboarding_settings_for
from chorus.people.models import Organization, Person


def candidates_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete candidates who were not hired and whose retention period has passed: the person,
    their onboarding, assignments, links, reminders and attestations. One audit entry per
    organization with the count only (no names or e-mails: that would defeat the deletion)."""
    now = now or timezone.now()
    purged = 0
    for org in Organization.objects.filter(
            pk__in=PersonOnboarding.objects.filter(not_hired_at__isnull=False)
            .values("organization_id")):
        days = onboarding_settings_for(organization=org).candidate_retention_days
        cutoff = now - datetime.timedelta(days=days)
        with transaction.atomic():
            people = Person.objects.filter(
                organization=org, status=Person.Status.CANDIDATE,
                onboarding__not_hired_at__lt=cutoff)
            ids = list(people.values_list("pk", flat=True))
            if not ids:
                continue
            Attestation.objects.filter(person_id__in=ids).purge_for_retention()
            Person.objects.filter(pk__in=ids).delete()
            audit_record(organization=org, actor=None, action="onboarding.candidates_purged",
                         data={"count": len(ids), "retention_days": days})
            purged += len(ids)
    return purged
