"""Issue 13: the queue's counts come from the database and agree with each report's SLA."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.reports.models import Report
from chorus.reports.selectors import queue_counts_for
from chorus.reports.tests.conftest import submit

pytestmark = pytest.mark.django_db


def test_queue_counts_match_the_sla_state_of_every_open_report(hr, employee):
    now = timezone.now()
    # (SLA hours, due in): overdue, due soon (inside a quarter of the SLA, at least an hour),
    # and fine.
    cases = [(24, timedelta(hours=-1)), (24, timedelta(hours=5)), (24, timedelta(hours=7)),
             (2, timedelta(minutes=50)), (2, timedelta(minutes=70)), (48, timedelta(hours=11))]
    for n, (hours, due_in) in enumerate(cases):
        result = submit(reporter=employee, url=f"https://x.com/someone/status/{n + 10}")
        Report.objects.filter(pk=result.report.pk).update(sla_hours=hours, due_at=now + due_in)
    open_reports = list(Report.objects.filter(status__in=["new", "triaging"]))
    counts = queue_counts_for(user=hr)
    assert counts["open"] == len(open_reports) == 6
    assert counts["overdue"] == sum(r.sla_state() == "overdue" for r in open_reports) == 1
    assert counts["due_soon"] == sum(r.sla_state() == "due_soon" for r in open_reports) == 3
    assert counts["mine"] == sum(r.assignee_id == hr.pk for r in open_reports)
    assert counts["new"] == sum(r.status == "new" for r in open_reports)
