"""Retention: purging posts and scrubbing alerts past the retention period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.monitoring.models import (
    IngestedPost,
    LinkedAccount,
    MonitoringAlert,
    MonitoringSettings,
)


@dataclass
class PurgeResult:
    accounts_purged: int = 0
    posts_deleted: int = 0


@transaction.atomic
def monitoring_purge(*, now: datetime | None = None) -> PurgeResult:
    """Delete what we no longer may keep: every post of an account whose consent was revoked
    once its retention period is over, and any post older than its organization's retention
    period. Alerts keep their metadata but lose the quoted text."""
    now = now or timezone.now()
    result = PurgeResult()
    due = LinkedAccount.objects.filter(status=LinkedAccount.Status.REVOKED, purge_after__lte=now,
                                       purged_at__isnull=True)
    for account in due.select_for_update():
        deleted, _ = IngestedPost.objects.filter(account=account).delete()
        _scrub_alerts(MonitoringAlert.objects.filter(account=account))
        account.purged_at = now
        account.cursor = ""
        account.save(update_fields=["purged_at", "cursor", "updated_at"])
        result.accounts_purged += 1
        result.posts_deleted += deleted
        audit_record(organization=account.organization, actor=None,
                     action="monitoring.purged", target=account, data={"posts": deleted})
    for current in MonitoringSettings.objects.all():
        old = IngestedPost.objects.filter(
            organization_id=current.organization_id,
            created_at__lt=now - timedelta(days=current.retention_days))
        _scrub_alerts(MonitoringAlert.objects.filter(post__in=old))
        deleted, _ = old.delete()
        result.posts_deleted += deleted
    return result


def _scrub_alerts(alerts: Any) -> None:
    for alert in alerts:
        alert.findings = [{**f, "excerpt": ""} for f in alert.findings]
        alert.save(update_fields=["findings", "updated_at"])
