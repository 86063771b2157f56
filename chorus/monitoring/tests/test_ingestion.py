import sys
import types

import pytest
from django.core import mail

from chorus.common.scheduling import PERIODIC_JOBS
from chorus.connectors.base import ConnectorError
from chorus.monitoring import tasks
from chorus.monitoring.models import IngestedPost, LinkedAccount, MonitoringAlert
from chorus.monitoring.services import account_poll, ingest_posts
from chorus.monitoring.tests.conftest import link_fake

pytestmark = pytest.mark.django_db


def test_polling_stores_each_post_once_and_moves_the_cursor(employee, monitoring_on, fake_net):
    account, profile = link_fake(employee, fake_net)
    first = fake_net.publish(profile.external_id, "one")
    account_poll(account_id=account.pk)
    second = fake_net.publish(profile.external_id, "two")

    account_poll(account_id=account.pk)
    account_poll(account_id=account.pk)

    account.refresh_from_db()
    assert sorted(IngestedPost.objects.values_list("text", flat=True)) == ["one", "two"]
    assert account.cursor == second.external_id != first.external_id
    assert account.last_read_at is not None and account.status == "active"


def test_replaying_a_batch_duplicates_nothing(employee, monitoring_on, fake_net):
    account, profile = link_fake(employee, fake_net)
    post = fake_net.publish(profile.external_id, "hello")
    ingest_posts(account_id=account.pk, posts=[post], cursor=post.external_id)
    result = ingest_posts(account_id=account.pk, posts=[post, post], cursor=post.external_id)
    assert (result.created, result.unchanged) == (0, 2)
    assert IngestedPost.objects.count() == 1


def test_transient_errors_are_retried_with_backoff(employee, monitoring_on, fake_net):
    account, profile = link_fake(employee, fake_net)
    fake_net.publish(profile.external_id, "arrives after two failures")
    fake_net.fail_with(ConnectorError("503", permanent=False), times=2)
    slept: list[float] = []

    outcome = account_poll(account_id=account.pk, sleep=slept.append)

    assert outcome.ok and outcome.created == 1
    assert len(slept) == 2 and all(0 <= s <= 30 for s in slept)


def test_rate_limits_honour_retry_after(employee, monitoring_on, fake_net):
    account, _profile = link_fake(employee, fake_net)
    fake_net.fail_with(ConnectorError("429", permanent=False, retry_after=42, status=429))
    slept: list[float] = []

    account_poll(account_id=account.pk, sleep=slept.append)

    assert len(slept) == 1 and 42 <= slept[0] < 43


def test_permanent_errors_mark_the_account_with_a_clear_message(employee, monitoring_on,
                                                                fake_net, client_for):
    account, _profile = link_fake(employee, fake_net)
    fake_net.fail_with(ConnectorError("The account was deleted on its server.", permanent=True,
                                      status=410))
    slept: list[float] = []

    outcome = account_poll(account_id=account.pk, sleep=slept.append)

    account.refresh_from_db()
    assert not outcome.ok and slept == []  # no retry for a permanent error
    assert account.status == LinkedAccount.Status.NEEDS_ATTENTION
    assert account.last_error == "The account was deleted on its server."
    page = client_for(employee).get("/monitoring/").content.decode()
    assert "Needs attention" in page and "The account was deleted on its server." in page

    account_poll(account_id=account.pk)  # fixed on the network side: next read clears it
    account.refresh_from_db()
    assert account.status == "active" and account.last_error == ""


def test_repeated_transient_failures_also_need_attention(employee, monitoring_on, fake_net):
    account, _ = link_fake(employee, fake_net)
    for _ in range(5):
        fake_net.fail_with(ConnectorError("timeout", permanent=False), times=4)
        account_poll(account_id=account.pk, sleep=lambda s: None)
    account.refresh_from_db()
    assert account.status == "needs_attention" and account.consecutive_failures == 5


def test_a_finding_creates_a_coaching_alert_and_tells_the_employee_first(
    employee, monitoring_on, fake_net, django_capture_on_commit_callbacks
):
    account, profile = link_fake(employee, fake_net)
    fake_net.publish(profile.external_id, "Initech's arm is garbage")
    fake_net.publish(profile.external_id, "meh, Monday")  # low: below the medium threshold

    with django_capture_on_commit_callbacks(execute=True):
        account_poll(account_id=account.pk)

    alert = MonitoringAlert.objects.get()
    assert (alert.severity, alert.categories, alert.status) == ("medium", ["competitor_negative"],
                                                               "open")
    assert alert.person == employee.person and alert.escalated_at is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [employee.email]
    # A sensitive kind: the e-mail is neutral, the note itself is in Chorus only.
    assert "Remove garbage." not in mail.outbox[0].body
    from chorus.notifications.models import Notification

    note = Notification.objects.get(recipient=employee, kind="monitoring.coaching_note")
    assert "Remove garbage." in note.body and "nobody else" in note.body


def test_protected_activity_never_creates_an_alert(employee, monitoring_on, fake_net):
    account, profile = link_fake(employee, fake_net)
    fake_net.publish(profile.external_id, "Let's talk about our pay, this garbage raise")

    account_poll(account_id=account.pk)

    post = IngestedPost.objects.get()
    assert post.protected_activity and post.findings
    assert not MonitoringAlert.objects.exists()


@pytest.fixture
def report_queue(monkeypatch):
    calls = []

    def report_create_from_monitoring(**kwargs):
        calls.append(kwargs)
        return types.SimpleNamespace(pk=len(calls))

    module = types.ModuleType("chorus.reports.services")
    module.report_create_from_monitoring = report_create_from_monitoring
    monkeypatch.setitem(sys.modules, "chorus.reports.services", module)
    return calls


def test_critical_findings_reach_the_report_queue(employee, monitoring_on, fake_net,
                                                  report_queue):
    account, profile = link_fake(employee, fake_net)
    fake_net.publish(profile.external_id, "the admin password is hunter2")

    account_poll(account_id=account.pk)

    alert = MonitoringAlert.objects.get()
    assert alert.report_id == "1" and alert.escalation_reason == "Critical finding."
    call = report_queue[0]
    assert (call["category"], call["network"], call["subject"]) == (
        "security", "mastodon", employee.person)
    assert "nothing was decided automatically" in call["description"]


def test_only_repeated_findings_reach_the_report_queue(employee, monitoring_on, fake_net,
                                                       report_queue):
    account, profile = link_fake(employee, fake_net)
    for n in range(3):
        fake_net.publish(profile.external_id, f"garbage take number {n}")
        account_poll(account_id=account.pk)
        assert len(report_queue) == (1 if n == 2 else 0)
    assert MonitoringAlert.objects.filter(escalated_at__isnull=False).count() == 1


def test_edits_are_rescreened_and_deletions_reflected(employee, monitoring_on, fake_net):
    account, profile = link_fake(employee, fake_net)
    bad = fake_net.publish(profile.external_id, "Initech is garbage")
    other = fake_net.publish(profile.external_id, "a nice day")
    account_poll(account_id=account.pk)
    assert MonitoringAlert.objects.get().status == "open"

    fake_net.edit(profile.external_id, bad.external_id, "Initech is not for us")
    account_poll(account_id=account.pk)
    post = IngestedPost.objects.get(external_id=bad.external_id)
    assert post.text == "Initech is not for us" and post.edited_at is not None
    alert = MonitoringAlert.objects.get()
    assert alert.status == "resolved" and "no longer" in alert.resolution

    fake_net.delete(profile.external_id, other.external_id)
    account_poll(account_id=account.pk)
    gone = IngestedPost.objects.get(external_id=other.external_id)
    assert gone.deleted_at is not None and gone.text == ""


def test_polling_is_scheduled_on_the_task_worker(employee, monitoring_on, fake_net):
    assert "chorus.monitoring.tasks.poll_accounts_task" in PERIODIC_JOBS
    assert "chorus.monitoring.tasks.monitoring_purge_task" in PERIODIC_JOBS
    account, profile = link_fake(employee, fake_net)
    fake_net.publish(profile.external_id, "read by the worker")

    tasks.poll_accounts_task.call()

    assert IngestedPost.objects.filter(account=account).count() == 1


def test_a_critical_finding_lands_in_the_real_report_queue(employee, monitoring_on, fake_net):
    from chorus.reports.models import Report

    account, profile = link_fake(employee, fake_net)
    fake_net.publish(profile.external_id, "the admin password is hunter2")

    account_poll(account_id=account.pk)

    alert = MonitoringAlert.objects.get()
    report = Report.objects.get(pk=alert.report_id)
    assert report.organization_id == employee.organization_id


def test_posts_older_than_the_retention_period_are_deleted(employee, monitoring_on, fake_net):
    from datetime import timedelta

    from django.utils import timezone

    from chorus.monitoring.services import monitoring_purge

    account, profile = link_fake(employee, fake_net)
    fake_net.publish(profile.external_id, "old news")
    account_poll(account_id=account.pk)
    monitoring_purge(now=timezone.now() + timedelta(days=29))
    assert IngestedPost.objects.count() == 1
    monitoring_purge(now=timezone.now() + timedelta(days=31))
    assert IngestedPost.objects.count() == 0
