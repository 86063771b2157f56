"""Triage: the queue, statuses with event rows, outcomes told to reporters, and who may see what."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from chorus.audit.models import AuditEntry
from chorus.common.errors import InvalidInput
from chorus.reports.models import Report, ReportEvent
from chorus.reports.services import ReportError, report_ask, report_transition
from chorus.reports.tests.conftest import png, submit

pytestmark = pytest.mark.django_db


def test_statuses_follow_new_triaging_decision_closed_with_an_event_for_each(
    rules, employee, hr, client_for
):
    report = submit(reporter=employee).report
    client = client_for(hr)
    url = reverse("reports:transition", args=[report.pk])

    client.post(url, {"to": "triaging"})
    client.post(
        url,
        {
            "to": "actioned",
            "reason": "Account reported to X; post removed",
            "outcome": "The post was removed by the network.",
        },
    )
    client.post(url, {"to": "closed", "reason": "Nothing left to do"})

    report.refresh_from_db()
    assert report.status == "closed" and report.closed_at and report.decided_at
    events = list(
        ReportEvent.objects.filter(report=report, kind="status").values_list(
            "actor", "from_status", "to_status", "note"
        )
    )
    assert events == [
        (hr.pk, "new", "triaging", "Triage started."),
        (hr.pk, "triaging", "actioned", "Account reported to X; post removed"),
        (hr.pk, "actioned", "closed", "Nothing left to do"),
    ]
    assert AuditEntry.objects.filter(action="reports.status_changed").count() == 3


def test_skipping_a_status_is_refused_and_says_the_next_step(rules, employee, hr):
    report = submit(reporter=employee).report
    with pytest.raises(ReportError) as exc:
        report_transition(report=report, actor=hr, to="closed", reason="skip")
    assert "Next step: Triaging" in exc.value.message
    assert Report.objects.get().status == "new"


def test_a_decision_needs_a_reason_and_an_outcome_for_the_reporters(rules, employee, hr):
    report = submit(reporter=employee).report
    report_transition(report=report, actor=hr, to="triaging", reason="")
    with pytest.raises(InvalidInput) as exc:
        report_transition(report=report, actor=hr, to="actioned", reason="done")
    assert exc.value.field == "outcome"
    with pytest.raises(InvalidInput) as exc:
        report_transition(report=report, actor=hr, to="actioned", reason=" ", outcome="x")
    assert exc.value.field == "reason"


def test_the_named_reporter_is_emailed_the_outcome_once_and_sees_it(
    rules,
    employee,
    employee2,
    hr,
    client_for,
    django_capture_on_commit_callbacks,
):
    report = submit(reporter=employee).report
    submit(reporter=employee2, anonymous=True)
    report_transition(report=report, actor=hr, to="triaging", reason="")
    with django_capture_on_commit_callbacks(execute=True):
        report_transition(
            report=report,
            actor=hr,
            to="no_action",
            reason="Satire account",
            outcome="We looked at it: it is a parody account, no action needed.",
        )
    with django_capture_on_commit_callbacks(execute=True):
        report_transition(report=report, actor=hr, to="closed", reason="Done")

    assert [m.to for m in mail.outbox] == [[employee.email]]
    # Reports are a sensitive kind: the e-mail carries a neutral title and the link only,
    # the outcome itself is in Chorus (notification center and the reports page).
    assert "parody account" not in mail.outbox[0].body
    assert mail.outbox[0].subject == "Your report has an update"
    from chorus.notifications.models import Notification

    assert "parody account" in Notification.objects.get(recipient=employee,
                                                        kind="reports.outcome").body
    page = client_for(employee).get(reverse("reports:mine")).content.decode()
    assert "parody account" in page and "The case was closed." in page


def test_a_named_reporter_answers_a_question_on_my_reports(rules, employee, hr, client_for):
    result = submit(reporter=employee)
    report_ask(
        report=result.report,
        submission=result.submission,
        actor=hr,
        question="Do you still see the post?",
    )
    client = client_for(employee)
    assert "Do you still see the post?" in client.get(reverse("reports:mine")).content.decode()

    client.post(
        reverse("reports:answer", args=[result.submission.pk]),
        {f"s{result.submission.pk}-answer": "Yes, and two more like it."},
    )

    answer = ReportEvent.objects.get(kind="answer")
    assert (answer.actor, answer.note) == (employee, "Yes, and two more like it.")


def test_the_queue_lists_merged_counts_and_sla_badges_in_few_queries(
    rules,
    employee,
    employee2,
    hr,
    client_for,
    django_assert_max_num_queries,
):
    for n in range(12):
        submit(reporter=employee, url=f"https://x.com/t/status/{n}")
    submit(reporter=employee2, url="https://x.com/t/status/0?utm_source=x")
    Report.objects.filter(url_normalized="https://x.com/t/status/1").update(
        due_at=Report.objects.get(url_normalized="https://x.com/t/status/1").created_at
    )
    client = client_for(hr)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("reports:queue")).content.decode()

    assert page.count("<tr>") >= 13
    assert "×2" in page and "Overdue" in page


def test_queue_filters_by_sla_and_category(rules, employee, hr, client_for):
    a = submit(reporter=employee, url="https://x.com/t/status/1").report
    b = submit(reporter=employee, url="https://x.com/t/status/2", category="crisis").report
    Report.objects.filter(pk=a.pk).update(due_at=a.created_at)
    client = client_for(hr)

    overdue = client.get(reverse("reports:queue"), {"sla": "overdue"}).content.decode()
    crisis = client.get(reverse("reports:queue"), {"category": "crisis"}).content.decode()

    assert a.reference in overdue and b.reference not in overdue
    assert b.reference in crisis and a.reference not in crisis


def test_an_employee_cannot_triage(rules, employee, employee2, client_for):
    report = submit(reporter=employee2).report
    client = client_for(employee)

    assert client.get(reverse("reports:queue")).status_code == 302
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404
    client.post(reverse("reports:transition", args=[report.pk]), {"to": "triaging"})
    assert Report.objects.get().status == "new"


def test_another_organization_gets_a_404(rules, employee, outsider, client_for):
    report = submit(reporter=employee).report
    client = client_for(outsider)  # an administrator, of Globex

    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404
    assert report.reference not in client.get(reverse("reports:queue")).content.decode()


def test_a_team_member_without_hr_role_sees_only_reports_routed_to_their_team(
    rules, employee, comms, client_for
):
    harassment = submit(reporter=employee).report
    crisis = submit(reporter=employee, category="crisis", url="https://x.com/z/status/5").report
    client = client_for(comms)

    assert client.get(reverse("reports:detail", args=[crisis.pk])).status_code == 200
    assert client.get(reverse("reports:detail", args=[harassment.pk])).status_code == 404


def test_screenshots_are_served_only_to_handlers_and_each_view_is_audited(
    rules,
    employee,
    employee2,
    hr,
    client_for,
):
    result = submit(reporter=employee, screenshots=[png()])
    evidence = result.submission.evidence.get()
    url = reverse("reports:evidence", args=[evidence.pk])

    response = client_for(hr).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert AuditEntry.objects.filter(action="reports.evidence_viewed", actor_id=hr.pk).count() == 1
    assert client_for(employee2).get(url).status_code == 404
    assert client_for(employee).get(url).status_code == 200  # the reporter's own screenshot


def test_the_detail_page_shows_the_timeline_and_submissions(
    rules, employee, employee2, hr, client_for
):
    report = submit(reporter=employee).report
    submit(reporter=employee2, anonymous=True, description="Same account, new threats today")
    page = client_for(hr).get(reverse("reports:detail", args=[report.pk])).content.decode()

    assert "Reported 2 times" in page and "Anonymous reporter" in page
    assert "Same account, new threats today" in page and "Start triage" in page
    assert employee2.full_name not in page


def test_triage_can_request_an_advocacy_response_that_communications_sees(
    rules,
    employee,
    hr,
    comms,
    client_for,
):
    report = submit(reporter=employee, category="crisis", url="https://x.com/v/status/1").report
    client_for(hr).post(
        reverse("reports:request-advocacy", args=[report.pk]),
        {"note": "Viral complaint about delivery delays; please respond publicly."},
    )

    report.refresh_from_db()
    assert report.advocacy_requested_at and report.advocacy_requested_by == hr
    home = client_for(comms).get(reverse("dashboard")).content.decode()
    assert "Viral complaint about delivery delays" in home
