"""The anonymous reporter's key page: progress, outcome and questions, without an account."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chorus.reports.models import ReportEvent
from chorus.reports.services import report_ask, report_transition
from chorus.reports.tests.conftest import submit

pytestmark = pytest.mark.django_db

FOLLOW_UP = "/r/"


def test_the_follow_up_page_is_public_and_asks_for_the_key(client):
    assert reverse("reports_public:follow-up") == FOLLOW_UP
    page = client.get(FOLLOW_UP)
    assert page.status_code == 200 and "Report key" in page.content.decode()


def test_the_key_opens_the_report_and_shows_the_outcome(rules, employee2, hr, client):
    # A distinctive name: the fixture's short "Hr" could appear by chance in a random token.
    hr.full_name = "Harper Quinlan-Nguyen"
    hr.save(update_fields=["full_name"])
    result = submit(reporter=employee2, anonymous=True)
    report_transition(report=result.report, actor=hr, to="triaging", reason="")
    report_transition(
        report=result.report,
        actor=hr,
        to="actioned",
        reason="Escalated to X",
        outcome="The account was suspended by the network.",
    )

    page = client.post(FOLLOW_UP, {"key": result.key.lower().replace("-", " ")})

    body = page.content.decode()
    assert page.status_code == 200
    assert "The account was suspended by the network." in body and "Actioned" in body
    assert "Escalated to X" not in body  # internal reasons stay internal
    assert hr.full_name not in body and hr.email not in body
    assert page["Cache-Control"].startswith("max-age=0")


def test_a_wrong_key_gets_a_clear_page_and_leaks_nothing(rules, employee2, client):
    submit(reporter=employee2, anonymous=True)

    page = client.post(FOLLOW_UP, {"key": "AAAAA-BBBBB-CCCCC-DDDDD"})

    body = page.content.decode()
    assert page.status_code == 422
    assert "No report matches this key" in body
    assert "x.com" not in body and "Harassment" not in body


def test_an_empty_key_is_asked_for_again(client):
    page = client.post(FOLLOW_UP, {"key": ""})
    assert page.status_code == 422 and "This field is required" in page.content.decode()


def test_the_anonymous_reporter_answers_a_question_with_the_key(rules, employee2, hr, client):
    result = submit(reporter=employee2, anonymous=True)
    report_ask(
        report=result.report,
        submission=result.submission,
        actor=hr,
        question="When was the post published?",
    )

    page = client.post(FOLLOW_UP, {"key": result.key})
    assert "When was the post published?" in page.content.decode()
    assert "Answer the team" in page.content.decode()

    page = client.post(FOLLOW_UP, {"key": result.key, "answer": "Yesterday around 9pm."})

    assert "Your answer was sent" in page.content.decode()
    answer = ReportEvent.objects.get(kind="answer")
    assert answer.actor is None and answer.note == "Yesterday around 9pm."
    assert answer.submission == result.submission


def test_questions_to_one_reporter_are_not_shown_to_another(rules, employee, employee2, hr, client):
    mine = submit(reporter=employee2, anonymous=True)
    other = submit(reporter=employee, anonymous=True)
    report_ask(report=mine.report, submission=other.submission, actor=hr, question="Secret Q?")

    assert "Secret Q?" not in client.post(FOLLOW_UP, {"key": mine.key}).content.decode()
    assert "Secret Q?" in client.post(FOLLOW_UP, {"key": other.key}).content.decode()


def test_the_key_is_not_put_in_a_url_or_the_session(rules, employee2, client_for):
    client = client_for(employee2)
    response = client.post(
        reverse("reports:create"),
        {
            "url": "https://x.com/a/status/1",
            "category": "leak",
            "description": "Roadmap slides posted",
            "anonymous": "on",
        },
    )
    key = response.context["key"]
    assert key not in str(dict(client.session))
    assert key.replace("-", "") not in "".join(str(v) for v in client.session.values())
