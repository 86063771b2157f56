"""Preferences, quiet hours, digests, mandatory kinds and retries with backoff."""

from __future__ import annotations

import datetime
import zoneinfo
from datetime import time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from chorus.common.errors import InvalidInput
from chorus.notifications.channels import ChannelError, register_channel
from chorus.notifications.kinds import EMAIL, NotificationKind, register_kind
from chorus.notifications.models import Delivery, DeliveryAttempt, Digest, Notification
from chorus.notifications.services import (
    deliveries_dispatch_due,
    digests_build,
    notify,
    preference_update,
    retry_delay,
)

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


class FlakyChannel:
    """A channel whose peer is down: every delivery fails, retryably."""

    name = "tests_flaky"
    label = "Flaky"
    calls = 0

    def deliver(self, delivery) -> None:
        FlakyChannel.calls += 1
        raise ChannelError("peer answered 503")


register_channel(FlakyChannel())
register_kind(NotificationKind("tests.pref", "A preference test"))
register_kind(NotificationKind("tests.both", "Two channels", default_channels=(EMAIL, "tests_flaky")))
register_kind(NotificationKind("tests.deadline", "A deadline", mandatory=True))

pytestmark = pytest.mark.django_db


def test_a_kind_turned_off_for_email_stays_in_chorus_only(
    org, employee, django_capture_on_commit_callbacks
):
    preference_update(user=employee, channels={"tests.pref": []})
    with django_capture_on_commit_callbacks(execute=True):
        [note] = notify(kind="tests.pref", recipients=[employee], organization=org, title="x")
    assert not mail.outbox and not note.deliveries.exists()


def test_a_mandatory_kind_cannot_lose_its_default_channel(
    org, employee, django_capture_on_commit_callbacks
):
    with pytest.raises(InvalidInput, match="mandatory"):
        preference_update(user=employee, channels={"tests.deadline": []})
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="tests.deadline", recipients=[employee], organization=org, title="Due")
    assert [m.to for m in mail.outbox] == [[employee.email]]


def test_quiet_hours_hold_external_delivery_until_they_end_in_the_persons_zone(
    org, employee, django_capture_on_commit_callbacks
):
    employee.timezone = "Europe/Berlin"
    employee.save(update_fields=["timezone"])
    preference_update(user=employee, quiet_start=time(22, 0), quiet_end=time(7, 0))
    late = datetime.datetime(2026, 12, 3, 23, 30, tzinfo=BERLIN)
    with django_capture_on_commit_callbacks(execute=True):
        [note] = notify(kind="tests.pref", recipients=[employee], organization=org,
                        title="Late news", now=late)  # fmt: skip
    delivery = note.deliveries.get()
    assert not mail.outbox and delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at == datetime.datetime(2026, 12, 4, 7, 0, tzinfo=BERLIN)
    assert Notification.objects.filter(pk=note.pk, read_at__isnull=True).exists()  # in the bell
    # Awake at 10:00 Berlin: sent as usual.
    morning = datetime.datetime(2026, 12, 4, 10, 0, tzinfo=BERLIN)
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="tests.pref", recipients=[employee], organization=org, title="Day news",
               now=morning)  # fmt: skip
    assert len(mail.outbox) == 1
    # Once the quiet hours are over, the dispatcher sends what waited.
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    deliveries_dispatch_due(now=timezone.now() + timedelta(seconds=1))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and len(mail.outbox) == 2


def test_a_daily_digest_sends_one_message_per_person_per_day_and_is_idempotent(
    org, employee, employee2, django_capture_on_commit_callbacks
):
    employee.timezone = "Europe/Berlin"
    employee.save(update_fields=["timezone"])
    preference_update(user=employee, digest="daily")
    with django_capture_on_commit_callbacks(execute=True):
        for title in ("First item", "Second item"):
            notify(kind="tests.pref", recipients=[employee, employee2], organization=org,
                   title=title)  # fmt: skip
        notify(kind="tests.deadline", recipients=[employee], organization=org, title="Due now")
    # The mandatory one goes at once; the rest waits; employee2 has no digest.
    assert sorted(m.subject for m in mail.outbox if m.to == [employee.email]) == ["Due now"]
    assert len([m for m in mail.outbox if m.to == [employee2.email]]) == 2
    mail.outbox.clear()

    early = datetime.datetime(2026, 12, 4, 6, 0, tzinfo=BERLIN)
    assert digests_build(now=early) == 0  # before the digest hour (08:00 in their zone)
    at_nine = datetime.datetime(2026, 12, 4, 9, 0, tzinfo=BERLIN)
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_build(now=at_nine) == 1
        assert digests_build(now=at_nine + timedelta(hours=1)) == 0
    [digest_mail] = mail.outbox
    assert digest_mail.to == [employee.email] and "daily" in digest_mail.subject
    assert "First item" in digest_mail.body and "Second item" in digest_mail.body
    digest = Digest.objects.get()
    assert (digest.items, digest.period_start) == (2, datetime.date(2026, 12, 4))
    assert set(Delivery.objects.filter(digest=digest).values_list("status", flat=True)) == {
        Delivery.Status.DIGESTED}


def test_a_failing_channel_is_retried_with_exponential_backoff_then_given_up(
    org, employee, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 30
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    FlakyChannel.calls = 0
    with django_capture_on_commit_callbacks(execute=True):
        [note] = notify(kind="tests.both", recipients=[employee], organization=org, title="x")
    email = note.deliveries.get(channel=EMAIL)
    flaky = note.deliveries.get(channel="tests_flaky")
    assert email.status == Delivery.Status.SENT and len(mail.outbox) == 1  # not blocked
    assert flaky.status == Delivery.Status.RETRYING
    for _ in range(3):
        Delivery.objects.filter(pk=flaky.pk).update(next_attempt_at=timezone.now())
        deliveries_dispatch_due(now=timezone.now() + timedelta(seconds=1))
    flaky.refresh_from_db()
    assert flaky.status == Delivery.Status.FAILED and flaky.attempts == 3
    assert FlakyChannel.calls == 3  # nothing after giving up
    assert list(DeliveryAttempt.objects.filter(delivery=flaky).order_by("number")
                .values_list("outcome", flat=True)) == ["retrying", "retrying", "failed"]
    assert len(mail.outbox) == 1  # e-mail was never sent twice


def test_a_repeated_task_run_never_delivers_twice(org, employee, django_capture_on_commit_callbacks):
    from chorus.notifications.services import delivery_run

    with django_capture_on_commit_callbacks(execute=True):
        [note] = notify(kind="tests.pref", recipients=[employee], organization=org, title="x")
    delivery = note.deliveries.get()
    assert delivery_run(delivery_id=delivery.pk)["status"] == Delivery.Status.SENT
    assert len(mail.outbox) == 1
