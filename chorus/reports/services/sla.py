"""SLA escalation of reports that waited too long, idempotent per report and level."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.reports.models import Report, ReportEvent
from chorus.reports.services.base import _notify
from chorus.reports.services.routing import _fallback_handlers


def report_escalate_overdue(*, now: datetime | None = None) -> list[Report]:
    """Escalate every open report past its SLA to its team lead, once. Idempotent.

    The conditional update on `escalated_at IS NULL` is the claim: concurrent or repeated runs
    escalate (and e-mail) each report exactly once. If the lead is named in the report, HR or
    legal are told instead.
    """
    now = now or timezone.now()
    escalated = []
    overdue = Report.objects.filter(
        status__in=[Report.Status.NEW, Report.Status.TRIAGING],
        due_at__lte=now,
        escalated_at__isnull=True,
    ).select_related("rule__lead", "assignee", "organization")
    for report in overdue:
        with transaction.atomic():
            if not Report.objects.filter(pk=report.pk, escalated_at__isnull=True).update(
                escalated_at=now
            ):
                continue
            excluded = set(report.excluded_users.values_list("pk", flat=True))
            lead = report.rule.lead if report.rule else None
            if lead is not None and lead.pk not in excluded and lead.is_active:
                targets = [lead]
            else:
                targets = [
                    u for u in _fallback_handlers(report.organization_id) if u.pk not in excluded
                ][:3]
            hours = int((now - report.due_at).total_seconds() // 3600)
            ReportEvent.objects.create(
                organization_id=report.organization_id,
                report=report,
                actor=None,
                kind=ReportEvent.Kind.ESCALATED,
                note=f"SLA of {report.sla_hours} h missed{f' by {hours} h' if hours else ''}; "
                f"escalated to {', '.join(str(t) for t in targets) or 'nobody (no handler)'}.",
            )
            audit_record(
                organization=report.organization,
                actor=None,
                action="reports.escalated",
                target=report,
                data={"to": [t.pk for t in targets]},
            )
            link = reverse("reports:detail", args=[report.pk])
            subject = f"Overdue report {report.reference}: {report.get_category_display()}"
            body = (
                f"Report {report.reference} ({report.get_category_display()}) was due "
                f"{report.due_at:%Y-%m-%d %H:%M} UTC and has no decision yet.\n"
                f"Assigned to: {report.assignee or 'nobody'}"
            )
            transaction.on_commit(partial(
                _notify, "reports.sla_breached", report, list(targets), subject, body, link,
                f"sla:{report.pk}",
            ))  # fmt: skip
            report.escalated_at = now
            escalated.append(report)
    return escalated
