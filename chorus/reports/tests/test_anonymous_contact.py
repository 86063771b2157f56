"""Issue 17: an anonymous reporter may leave a private contact to be told of progress; the
e-mail never carries the report."""

from __future__ import annotations

import pytest
from django.core import mail

from chorus.reports.models import Submission
from chorus.reports.services import report_ask, report_transition
from chorus.reports.tests.conftest import submit

pytestmark = pytest.mark.django_db


def test_a_contact_left_on_the_key_page_is_told_of_a_question_and_the_outcome(
        rules, employee2, hr, client, client_for, django_capture_on_commit_callbacks):
    result = submit(reporter=employee2, anonymous=True)
    saved = client.post("/r/", {"key": result.key, "contact_email": "quiet@example.net"})
    assert saved.status_code == 200 and "We will e-mail that address" in saved.content.decode()
    bad = client.post("/r/", {"key": result.key, "contact_email": "nope"})
    assert bad.status_code == 422 and "not a valid e-mail" in bad.content.decode()
    submission = Submission.objects.get(pk=result.submission.pk)
    assert submission.contact_email == "quiet@example.net"

    with django_capture_on_commit_callbacks(execute=True):
        report_ask(report=result.report, submission=submission, actor=hr,
                   question="Do you know who runs the account?")
        report_transition(report=result.report, actor=hr, to="triaging", reason="")
        report_transition(report=result.report, actor=hr, to="actioned", reason="Reported",
                          outcome="The network removed the account.")

    to_reporter = [m for m in mail.outbox if m.to == ["quiet@example.net"]]
    assert len(to_reporter) == 2
    for message in to_reporter:
        assert "account" not in message.body and result.report.reference not in message.body
        assert "/r/" in message.body
    staff_page = client_for(hr).get(f"/reports/{result.report.pk}/")
    assert staff_page.status_code == 200 and b"quiet@example.net" not in staff_page.content
