"""Coaching alerts after screening, told to the employee first, and their escalation."""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from chorus.common.errors import DomainError, NotFound
from chorus.monitoring.models import IngestedPost, MonitoringAlert, MonitoringSettings
from chorus.monitoring.services.base import RANK, REPORT_CATEGORY, REPORT_NETWORK, IngestResult
from chorus.people.models import User

logger = logging.getLogger(__name__)


def _alert_after_screening(*, post: IngestedPost, settings: MonitoringSettings,
                           result: IngestResult, edited: bool) -> MonitoringAlert | None:
    threshold = RANK.get(settings.alert_threshold, RANK["medium"])
    hits = [f for f in post.findings if RANK.get(f.get("severity", "info"), 0) >= threshold]
    # A new post has no alert yet: skip the lookup on the stream's hot path.
    existing = MonitoringAlert.objects.filter(post=post).first() if edited else None
    if post.protected_activity or not hits:
        if existing is not None and existing.status != MonitoringAlert.Status.RESOLVED:
            existing.status = MonitoringAlert.Status.RESOLVED
            existing.resolution = "The edited post no longer raises a finding."
            existing.save(update_fields=["status", "resolution", "updated_at"])
        return None
    severity = max((f["severity"] for f in hits), key=lambda s: RANK.get(s, 0))
    categories = sorted({f.get("category", "") for f in hits if f.get("category")})
    summary = [
        {k: f.get(k, "") for k in ("rule_id", "category", "severity", "message", "suggestion",
                                   "excerpt")}
        for f in hits
    ]
    if existing is not None:
        existing.severity, existing.categories, existing.findings = severity, categories, summary
        existing.status = MonitoringAlert.Status.OPEN
        existing.resolution = ""
        existing.save(update_fields=["severity", "categories", "findings", "status",
                                     "resolution", "updated_at"])
        alert = existing
    else:
        alert = MonitoringAlert.objects.create(
            organization_id=post.organization_id, post=post, account=post.account,
            person=post.account.person, severity=severity, categories=categories,
            findings=summary, post_url=post.url,
        )
        result.alerts.append(alert.pk)
        from chorus.monitoring.tasks import alert_notify_task

        transaction.on_commit(partial(alert_notify_task.enqueue, alert_id=alert.pk))
    if alert.escalated_at is None:
        _maybe_escalate(alert=alert, settings=settings)
    return alert


def _maybe_escalate(*, alert: MonitoringAlert, settings: MonitoringSettings) -> None:
    since = timezone.now() - timedelta(days=settings.repeat_window_days)
    recent = MonitoringAlert.objects.filter(person_id=alert.person_id, created_at__gte=since)
    if alert.severity == "critical":
        reason = "Critical finding."
    elif recent.count() >= settings.escalate_after:
        reason = f"{recent.count()} findings within {settings.repeat_window_days} days."
    else:
        return
    alert.escalated_at = timezone.now()
    alert.escalation_reason = reason
    try:
        from chorus.reports.services import report_create_from_monitoring
    except ImportError:
        logger.warning("monitoring alert %s should escalate but chorus.reports is missing",
                       alert.pk)
        alert.escalation_reason = f"{reason} (report queue not installed)"
        alert.save(update_fields=["escalated_at", "escalation_reason", "updated_at"])
        return
    lines = [f"Monitoring found {', '.join(alert.categories) or 'a policy issue'} "
             f"({alert.severity}) on a linked {alert.account.get_network_display()} account.",
             f"Why it reached the queue: {reason}", ""]
    lines += [f"- {f['message']}" + (f" (\u201c{f['excerpt']}\u201d)" if f.get("excerpt") else "")
              for f in alert.findings]
    lines += ["", "The employee was told first and can respond; nothing was decided "
                  "automatically."]
    category = next((REPORT_CATEGORY[c] for c in alert.categories if c in REPORT_CATEGORY),
                    "other")
    try:
        with transaction.atomic():
            report = report_create_from_monitoring(
                organization=alert.account.organization, url=alert.post_url,
                network=REPORT_NETWORK.get(alert.account.network, alert.account.network),
                category=category,
                description="\n".join(lines), subject=alert.person,
            )
    except DomainError as exc:
        # The alert stays with the employee; the failed hand-over is visible on the alert.
        logger.warning("monitoring alert %s could not reach the queue: %s", alert.pk, exc)
        alert.escalation_reason = f"{reason} (not queued: {exc.message})"[:200]
        alert.save(update_fields=["escalated_at", "escalation_reason", "updated_at"])
        return
    alert.report_id = str(report.pk)
    alert.save(update_fields=["escalated_at", "escalation_reason", "report_id", "updated_at"])


@transaction.atomic
def alert_acknowledge(*, user: User, alert: MonitoringAlert) -> MonitoringAlert:
    """The employee read the coaching note. Only the alert's own employee acknowledges it."""
    if alert.person.user_id != user.pk:
        raise NotFound(gettext("No such alert."))
    if alert.status == MonitoringAlert.Status.OPEN:
        alert.status = MonitoringAlert.Status.ACKNOWLEDGED
        alert.save(update_fields=["status", "updated_at"])
    return alert
