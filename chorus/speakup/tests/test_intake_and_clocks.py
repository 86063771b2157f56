from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.common.errors import InvalidInput, PermissionDenied
from chorus.notifications.models import Notification
from chorus.speakup.models import ClockRule, Concern
from chorus.speakup.services import (
    clock_register,
    clock_rule_save,
    concern_acknowledge,
    concern_clocks,
    concern_clocks_run,
    concern_give_feedback,
    intake_form_save,
    validate_questions,
)
from chorus.speakup.tests.conftest import submit

pytestmark = pytest.mark.django_db


def test_a_report_gets_the_legal_clocks_of_its_jurisdiction(org, hr):
    concern, key = submit(org)

    assert len(key) == 23 and concern.key_hash != key
    assert concern.ack_due_at - concern.received_at == timedelta(days=7)
    # No acknowledgment yet: three months run from the end of the seven days (Art. 9(1)(f)).
    assert concern.feedback_due_at - concern.ack_due_at == timedelta(days=91)
    assert [c.state for c in concern_clocks(concern)] == ["running", "running"]


def test_acknowledging_stops_the_first_clock_and_restarts_the_feedback_clock(org, hr):
    concern, _ = submit(org)

    concern = concern_acknowledge(concern=concern, actor=hr)

    assert concern.status == Concern.Status.ACKNOWLEDGED
    assert concern.feedback_due_at == concern.acknowledged_at + timedelta(days=91)
    ack, feedback = concern_clocks(concern)
    assert ack.state == "met" and feedback.state == "running"
    assert concern.messages.get().author_kind == "staff"


def test_an_organization_can_shorten_the_clocks_but_never_exceed_the_directive(org, admin, hr):
    clock_rule_save(organization=org, actor=admin, jurisdiction="DE", ack_days=3,
                    feedback_days=60, remind_ack_days=1, remind_feedback_days=7)
    concern, _ = submit(org)
    assert concern.ack_due_at - concern.received_at == timedelta(days=3)

    with pytest.raises(InvalidInput) as exc:
        clock_rule_save(organization=org, actor=admin, jurisdiction="DE", ack_days=10,
                        feedback_days=60)
    assert exc.value.field == "ack_days"
    with pytest.raises(PermissionDenied):
        clock_rule_save(organization=org, actor=hr, jurisdiction="DE", ack_days=7,
                        feedback_days=91)
    assert ClockRule.objects.get(organization=org).ack_days == 3


def test_reminders_come_before_and_escalation_after_each_deadline_once(
        org, hr, admin, django_capture_on_commit_callbacks):
    concern, _ = submit(org)
    before = concern.ack_due_at - timedelta(days=1)
    after = concern.ack_due_at + timedelta(hours=1)

    with django_capture_on_commit_callbacks(execute=True):
        first = concern_clocks_run(now=before)
        again = concern_clocks_run(now=before)
        late = concern_clocks_run(now=after)
        late_again = concern_clocks_run(now=after)

    assert first["ack_reminded"] == 1 and again["ack_reminded"] == 0
    assert late["ack_escalated"] == 1 and late_again["ack_escalated"] == 0
    reminder = Notification.objects.get(kind="speakup.reminder")
    assert reminder.recipient == concern.handler
    escalated = Notification.objects.filter(kind="speakup.escalated")
    assert admin in [n.recipient for n in escalated]
    assert concern.events.filter(kind="escalated").count() == 1


def test_register_reports_on_time_rates(org, hr):
    on_time, _ = submit(org)
    concern_acknowledge(concern=on_time, actor=hr)
    late, _ = submit(org)
    Concern.objects.filter(pk=late.pk).update(ack_due_at=timezone.now() - timedelta(days=1))
    late.refresh_from_db()
    concern_acknowledge(concern=late, actor=hr)
    overdue, _ = submit(org)
    Concern.objects.filter(pk=overdue.pk).update(ack_due_at=timezone.now() - timedelta(hours=1))
    concern_give_feedback(concern=on_time, actor=hr, text="We stopped the payments.")

    today = timezone.localdate()
    data = clock_register(organization=org, since=today - timedelta(days=1), until=today)

    ack, feedback = data["overall"]
    assert (ack.on_time, ack.late, ack.overdue) == (1, 1, 1)
    assert ack.rate == "33%"
    assert feedback.on_time == 1 and feedback.running == 2


def test_form_versions_keep_old_reports_questions(org, admin, fraud_form):
    old, _ = submit(org, fraud_form)
    intake_form_save(organization=org, actor=admin, key="fraud", label="Fraud or corruption",
                     questions=[{"key": "amount", "label": "Amount (EUR)", "type": "text",
                                 "required": True}])
    new, _ = submit(org, fraud_form, answers={"amount": "5000"})

    assert old.form_version.number == 1 and new.form_version.number == 2
    assert old.form_version.questions[0]["label"] == "How much money is involved?"
    assert new.answers == {"amount": "5000"}


def test_invalid_form_answers_name_the_question(org, fraud_form):
    with pytest.raises(InvalidInput) as exc:
        submit(org, fraud_form, answers={"amount": "a lot", "ongoing": "no"})
    assert exc.value.field == "q_amount" and "Choose one" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        submit(org, fraud_form, answers={"amount": "over 100k", "ongoing": "yes"})
    assert exc.value.field == "q_who_knows"  # a conditional follow-up, shown and required
    with pytest.raises(InvalidInput) as exc:
        submit(org, fraud_form, answers={"amount": "over 100k", "ongoing": "no",
                                         "since": "yesterday"})
    assert exc.value.field == "q_since"
    assert Concern.objects.count() == 0


def test_hidden_follow_ups_are_not_required_and_not_kept(org, fraud_form):
    concern, _ = submit(org, fraud_form, answers={"amount": "over 100k", "ongoing": "no",
                                                  "who_knows": "ignored"})
    assert "who_knows" not in concern.answers


@pytest.mark.parametrize("questions, message", [
    ([], "at least one"),
    ([{"key": "Bad Key", "label": "x", "type": "text"}], "lower-case"),
    ([{"key": "a", "label": "x", "type": "choice", "choices": ["one"]}], "two choices"),
    ([{"key": "a", "label": "x", "type": "text", "show_if": {"key": "b", "equals": "y"}}],
     "earlier question"),
    ([{"key": "a", "label": "x", "type": "slider"}], "type must be"),
])
def test_form_builder_rejects_broken_questions(questions, message):
    with pytest.raises(InvalidInput) as exc:
        validate_questions(questions)
    assert message in exc.value.message


def test_people_named_are_excluded_and_routing_goes_around_them(org, hr, legal):
    concern, _ = submit(org, people_named=f"{hr.full_name}\nSomeone Unknown")

    assert list(concern.excluded_users.all()) == [hr]
    assert concern.handler == legal
