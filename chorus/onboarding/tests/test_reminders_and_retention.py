import datetime

import pytest
from django.core import mail
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.common.scheduling import PERIODIC_JOBS
from chorus.common.testing import enqueue_and_wait
from chorus.onboarding.models import (
    Assignment,
    Attestation,
    OnboardingSettings,
    PersonOnboarding,
    Reminder,
)
from chorus.onboarding.services import (
    assignment_nudge,
    attestation_create,
    candidate_mark_not_hired,
    candidates_purge_expired,
    reminders_send,
)
from chorus.onboarding.tasks import send_attestation_reminders_task
from chorus.onboarding.tests.conftest import make_campaign
from chorus.people.models import Person

# Reminders to people with accounts go through notify(), which e-mails after commit.
pytestmark = pytest.mark.django_db(transaction=True)


def _age(assignment: Assignment, days: int) -> datetime.datetime:
    """Pretend the request was made `days` ago; return "now"."""
    now = timezone.now()
    Assignment.objects.filter(pk=assignment.pk).update(
        assigned_at=now - datetime.timedelta(days=days),
        due_at=now - datetime.timedelta(days=days) + datetime.timedelta(days=14))
    return now


def test_reminders_go_out_once_per_period_and_a_rerun_sends_nothing(
        org, hr, employee, version):
    assignment = make_campaign(hr=hr, version=version).assignments.get(person=employee.person)
    now = _age(assignment, 3)  # default: remind every 3 days
    mail.outbox.clear()

    first = reminders_send(now=now)
    rerun = reminders_send(now=now)

    assert (first.reminders, rerun.reminders) == (1, 0)
    assert [m.to for m in mail.outbox] == [[employee.email]]
    assert "/onboarding/me/" in mail.outbox[0].body  # has an account: no personal link
    # The next period brings the next reminder, once (everyone else's first one too).
    later = now + datetime.timedelta(days=3)
    assert reminders_send(now=later).reminders >= 1
    assert reminders_send(now=later).reminders == 0
    assert sum(m.to == [employee.email] for m in mail.outbox) == 2


def test_escalation_goes_to_the_manager_once_after_n_days(org, hr, employee, manager, version):
    OnboardingSettings.objects.create(organization=org, escalate_after_days=5,
                                      reminder_every_days=30)
    assignment = make_campaign(hr=hr, version=version).assignments.get(person=employee.person)
    mail.outbox.clear()

    assert reminders_send(now=_age(assignment, 4)).escalations == 0
    now = _age(assignment, 5)
    assert reminders_send(now=now).escalations == 1
    assert reminders_send(now=now + datetime.timedelta(days=2)).escalations == 0

    assert [m.to for m in mail.outbox] == [[manager.email]]
    assert employee.person.full_name in mail.outbox[0].subject
    assert "not treat this as a disciplinary matter" in mail.outbox[0].body


def test_people_who_acknowledged_or_left_get_no_reminders(org, hr, employee, employee2, version):
    campaign = make_campaign(hr=hr, version=version)
    done = campaign.assignments.get(person=employee.person)
    attestation_create(
        read_stated=True, assignment=done, channel="session", content_hash=version.content_hash,
                       confirmed=True, user=employee)
    Person.objects.filter(pk=employee2.person.pk).update(status="leaver")
    for a in campaign.assignments.all():
        now = _age(a, 10)
    mail.outbox.clear()

    run = reminders_send(now=now)

    recipients = {to for m in mail.outbox for to in m.to}
    assert employee.email not in recipients and employee2.email not in recipients
    assert run.reminders + run.escalations == len(mail.outbox) > 0


def test_the_reminder_job_is_a_periodic_task(hr, employee, version):
    assignment = make_campaign(hr=hr, version=version).assignments.get(person=employee.person)
    _age(assignment, 3)
    mail.outbox.clear()

    assert any(job.task is send_attestation_reminders_task for job in PERIODIC_JOBS.values())
    result = enqueue_and_wait(send_attestation_reminders_task)
    assert result.return_value == {"reminders": 1, "escalations": 0}
    send_attestation_reminders_task.enqueue()
    assert len(mail.outbox) == 1


def test_a_nudge_is_sent_at_most_once_a_day(client_for, hr, employee, version):
    assignment = make_campaign(hr=hr, version=version).assignments.get(person=employee.person)
    mail.outbox.clear()

    assert assignment_nudge(assignment=assignment, actor=hr) is True
    response = client_for(hr).post(f"/onboarding/assignments/{assignment.pk}/nudge/",
                                   follow=True)

    assert "already got a reminder today" in response.content.decode()
    assert len(mail.outbox) == 1 and "Hr from HR asked us" in mail.outbox[0].body
    assert Reminder.objects.filter(kind="nudge").count() == 1


def test_not_hired_candidates_are_deleted_after_the_retention_period(
        org, hr, candidate, employee, version):
    OnboardingSettings.objects.create(organization=org, candidate_retention_days=30)
    campaign = make_campaign(hr=hr, version=version)
    attestation_create(read_stated=True, assignment=campaign.assignments.get(person=candidate),
                       channel="link", content_hash=version.content_hash, confirmed=True)
    attestation_create(
        read_stated=True, assignment=campaign.assignments.get(person=employee.person),
                       channel="session", content_hash=version.content_hash, confirmed=True)
    candidate_mark_not_hired(person=candidate, actor=hr)

    assert candidates_purge_expired(now=timezone.now() + datetime.timedelta(days=29)) == 0
    assert Person.objects.filter(pk=candidate.pk).exists()

    assert candidates_purge_expired(now=timezone.now() + datetime.timedelta(days=31)) == 1

    assert not Person.objects.filter(pk=candidate.pk).exists()
    assert not PersonOnboarding.objects.filter(person_id=candidate.pk).exists()
    assert list(Attestation.objects.values_list("person_id", flat=True)) == [employee.person.pk]
    entry = AuditEntry.objects.get(action="onboarding.candidates_purged")
    assert entry.data == {"count": 1, "retention_days": 30}
    assert "riley" not in str(entry.data).lower() and entry.target_label == ""


def test_hired_and_still_open_candidates_are_kept(org, hr, candidate):
    Person.objects.create(organization=org, full_name="Hired", email="h@x.example",
                          status="employee")
    assert candidates_purge_expired(now=timezone.now() + datetime.timedelta(days=10_000)) == 0
    assert Person.objects.filter(pk=candidate.pk).exists()


def test_a_same_day_nudge_says_earlier_today_and_a_clean_possessive(hr, employee, version):
    assignment = make_campaign(hr=hr, version=version).assignments.get(person=employee.person)
    mail.outbox.clear()
    assignment_nudge(assignment=assignment, actor=hr)
    body = mail.outbox[0].body
    assert "We first asked earlier today" in body and "0 days" not in body
    assert "Northwind Robotics' social media policy" in body
