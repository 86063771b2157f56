"""Background jobs for reports: outcome e-mails and the SLA escalation sweep."""

from __future__ import annotations

import logging
from datetime import timedelta

from django_tasks import task

from chorus.common.scheduling import periodic
from chorus.reports.services import report_escalate_overdue, report_notify_outcome

logger = logging.getLogger(__name__)


@task()
def report_notify_outcome_task(*, report_id: int) -> int:
    return report_notify_outcome(report_id=report_id)


# Every 15 minutes: an SLA is counted in hours, so a lead hears of a miss within a quarter hour.
@periodic(every=timedelta(minutes=15))
@task()
def report_escalate_overdue_task() -> int:
    escalated = report_escalate_overdue()
    if escalated:
        logger.info("escalated %d overdue reports", len(escalated))
    return len(escalated)
