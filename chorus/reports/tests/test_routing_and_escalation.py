"""Routing rules send each category to its team, around anyone the report names; overdue
reports escalate to the lead once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from chorus.common.scheduling import PERIODIC_JOBS
from chorus.reports.models import Report, ReportEvent
from chorus.reports.services import report_create_from_monitoring, report_escalate_overdue
from chorus.reports.tests.conftest import submit

pytestmark = pytest.mark.django_db


def test_a_report_goes_to_its_category_team_with_the_category_sla(rules, employee, hr, legal):
    before = timezone.now()
    report = submit(reporter=employee).report

    assert report.rule == rules["harassment"]
    assert report.assignee in (hr, legal)
    assert report.sla_hours == 24
    assert before + timedelta(hours=24) <= report.due_at <= timezone.now() + timedelta(hours=24)
    assert ReportEvent.objects.filter(report=report, kind="routed").exists()


def test_a_report_naming_a_team_member_is_routed_around_them(
    rules, employee, hr, legal, client_for
):
    report = submit(
        reporter=employee,
        description="Harper Nguyen is posting about a colleague",
        url="https://x.com/a/status/9",
    ).report
    # The conftest cast names hr "Hr"; name them the way colleagues would.
    assert report.assignee is not None

    hr.full_name = "Harper Nguyen"
    hr.save(update_fields=["full_name"])
    report = submit(
        reporter=employee,
        description="Harper Nguyen is posting about a colleague",
        url="https://x.com/b/status/10",
    ).report

    assert report.assignee == legal
    assert list(report.excluded_users.all()) == [hr]
    assert "Routed around 1 named person" in report.routing_note
    # The named person cannot see it, although HR sees every other report.
    assert client_for(hr).get(reverse("reports:detail", args=[report.pk])).status_code == 404
    queue = client_for(hr).get(reverse("reports:queue")).content.decode()
    assert report.reference not in queue


def test_when_the_whole_team_is_named_the_lead_or_hr_gets_it(rules, employee, comms, admin):
    report = submit(
        reporter=employee,
        category="crisis",
        url="https://x.com/c/status/1",
        description=f"Leaked chat from {comms.email} is going viral",
    ).report
    assert report.assignee == admin  # the crisis lead
    assert comms in report.excluded_users.all()

    report = submit(
        reporter=employee,
        category="crisis",
        url="https://x.com/c/status/2",
        description=f"Thread by @comms and {admin.email} screenshots",
    ).report
    assert report.assignee not in (comms, admin)
    assert report.assignee.has_role("hr") or report.assignee.has_role("legal")


def test_a_monitoring_finding_about_a_team_member_routes_around_that_subject(rules, hr, legal, org):
    report = report_create_from_monitoring(
        organization=org,
        url="https://mastodon.social/@someone/123",
        network="",
        category="harassment",
        description="Repeated slurs in replies",
        subject=hr.person,
    )

    assert report.network == "mastodon" and report.source == "monitoring"
    assert report.assignee == legal and hr in report.excluded_users.all()
    again = report_create_from_monitoring(
        organization=org,
        url="https://mastodon.social/@someone/123/",
        network="mastodon",
        category="harassment",
        description="Still there",
        subject=None,
    )
    assert again.pk == report.pk and again.submission_count == 2


def test_without_a_rule_reports_go_to_hr_with_the_default_sla(employee, hr):
    report = submit(
        reporter=employee, category="security", url="https://x.com/scam/status/1"
    ).report

    assert report.rule is None and report.sla_hours == 4
    assert report.assignee == hr


def test_overdue_reports_escalate_to_the_lead_once(
    rules, employee, hr, legal, django_capture_on_commit_callbacks
):
    report = submit(reporter=employee).report
    late = report.due_at + timedelta(minutes=1)

    with django_capture_on_commit_callbacks(execute=True):
        first = report_escalate_overdue(now=late)
    with django_capture_on_commit_callbacks(execute=True):
        second = report_escalate_overdue(now=late + timedelta(hours=3))

    assert [r.pk for r in first] == [report.pk] and second == []
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [hr.email]
    assert mail.outbox[0].subject == "A report is overdue"  # neutral outside Chorus
    from chorus.notifications.models import Notification

    note = Notification.objects.get(recipient=hr, kind="reports.sla_breached")
    assert "Overdue report" in note.title and note.link == f"/reports/{report.pk}/"
    assert ReportEvent.objects.filter(report=report, kind="escalated").count() == 1


def test_reports_not_yet_due_or_decided_do_not_escalate(rules, employee, hr):
    from chorus.reports.services import report_transition

    report = submit(reporter=employee).report
    assert report_escalate_overdue(now=report.due_at - timedelta(minutes=1)) == []
    report_transition(report=report, actor=hr, to="triaging", reason="")
    report_transition(report=report, actor=hr, to="no_action", reason="x", outcome="Reviewed.")
    assert report_escalate_overdue(now=report.due_at + timedelta(days=1)) == []


def test_a_named_lead_is_skipped_when_escalating(
    rules, employee, hr, legal, django_capture_on_commit_callbacks
):
    hr.full_name = "Harper Nguyen"
    hr.save(update_fields=["full_name"])
    report = submit(reporter=employee, description="Harper Nguyen harasses people online").report

    with django_capture_on_commit_callbacks(execute=True):
        report_escalate_overdue(now=report.due_at + timedelta(hours=1))

    told = {address for m in mail.outbox for address in m.to}
    assert hr.email not in told
    assert legal.email in told


def test_the_escalation_task_is_periodic_and_idempotent(rules, employee):
    from chorus.reports.tasks import report_escalate_overdue_task

    assert any(job.task is report_escalate_overdue_task for job in PERIODIC_JOBS.values())
    report = submit(reporter=employee).report
    Report.objects.filter(pk=report.pk).update(due_at=timezone.now() - timedelta(hours=1))
    report_escalate_overdue_task.enqueue()
    report_escalate_overdue_task.enqueue()
    assert ReportEvent.objects.filter(report=report, kind="escalated").count() == 1


def test_routing_rules_are_edited_on_their_page(client_for, admin, comms, legal, org):
    client = client_for(admin)
    page = client.get(reverse("reports:routing"))
    assert page.status_code == 200 and "Leak of confidential information" in page.content.decode()

    response = client.post(
        reverse("reports:routing"),
        {
            "category": "leak",
            "leak-team": [legal.pk],
            "leak-lead": comms.pk,
            "leak-sla_hours": "6",
        },
    )
    assert response.status_code == 302
    from chorus.reports.models import RoutingRule

    rule = RoutingRule.objects.get(organization=org, category="leak")
    assert (list(rule.team.all()), rule.lead, rule.sla_hours) == ([legal], comms, 6)

    bad = client.post(reverse("reports:routing"), {"category": "leak", "leak-sla_hours": "6"})
    assert "Add at least one team member or a lead" in bad.content.decode()


def test_employees_cannot_edit_routing(client_for, employee):
    assert client_for(employee).get(reverse("reports:routing")).status_code == 404


def test_other_categories_work_does_not_push_a_report_off_the_rules_lead(
        rules, employee, hr, legal):
    """Issue 17: HR had an open leak report, so a harassment report went to legal (the team's
    least loaded across *all* categories) although the harassment rule's lead is HR."""
    rule = rules["harassment"]
    rule.lead = hr
    rule.save(update_fields=["lead"])
    rule.team.set([hr, legal])
    Report.objects.filter(pk=submit(reporter=employee, category="leak",
                                    url="https://x.com/l/status/1").report.pk).update(assignee=hr)

    report = submit(reporter=employee, url="https://x.com/h/status/2").report

    assert report.assignee == hr
    event = ReportEvent.objects.get(report=report, kind="routed")
    assert "Lead of the routing rule for “Harassment" in event.note
    assert "fewest open reports in that category (0)" in event.note


def test_the_routing_history_says_why_a_team_member_got_it(rules, employee, hr, legal):
    rule = rules["harassment"]
    rule.lead = hr
    rule.save(update_fields=["lead"])
    rule.team.set([hr, legal])
    submit(reporter=employee, url="https://x.com/h/status/3")  # to the lead, hr
    report = submit(reporter=employee, url="https://x.com/h/status/4").report
    assert report.assignee == legal
    note = ReportEvent.objects.get(report=report, kind="routed").note
    assert "fewest open reports in that category (0)" in note and "has more" in note


def test_routing_pickers_offer_staff_roles_only(client_for, hr, employee, manager, legal):
    page = client_for(hr).get(reverse("reports:routing")).content.decode()
    assert legal.full_name in page
    assert employee.full_name not in page and manager.full_name not in page


def test_a_routing_rule_refuses_an_employee_on_the_team(org, hr, employee):
    from chorus.common.errors import InvalidInput
    from chorus.reports.services import routing_rule_save

    with pytest.raises(InvalidInput, match="cannot handle reports"):
        routing_rule_save(organization=org, actor=hr, category="harassment",
                          team=[employee], lead=hr, sla_hours=24)
