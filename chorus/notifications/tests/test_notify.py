"""notify(): the one service every app uses to tell a person something."""

from __future__ import annotations

import pytest
from django.core import mail

from chorus.common.errors import NotFound
from chorus.notifications.kinds import NotificationKind, register_kind
from chorus.notifications.models import Delivery, Notification
from chorus.notifications.services import notification_mark_read, notify

PLAIN = register_kind(NotificationKind("tests.plain", "A plain test notification"))
SECRET = register_kind(NotificationKind(
    "tests.secret", "A sensitive test notification", sensitive=True,
    neutral_title="A case needs your attention",
))

pytestmark = pytest.mark.django_db


def test_notify_records_in_app_and_emails_each_recipient_once(
    org, employee, employee2, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(kind="tests.plain", recipients=[employee, employee2, employee],
                         organization=org, title="New content to share", body="Read it.",
                         link="/advocacy/")
    assert [n.recipient for n in created] == [employee, employee2]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([employee.email, employee2.email])
    assert "Read it." in mail.outbox[0].body and "/advocacy/" in mail.outbox[0].body
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_a_sensitive_kind_sends_only_a_neutral_title_and_the_link_outside_chorus(
    org, hr, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="tests.secret", recipients=[hr], organization=org,
               title="Harassment report about Emery", body="Details of the case", link="/reports/9/")
    message = mail.outbox[0]
    assert message.subject == "A case needs your attention"
    assert "Emery" not in message.body and "Details" not in message.body
    assert "/reports/9/" in message.body
    assert Notification.objects.get(recipient=hr).title == "Harassment report about Emery"


def test_recipients_of_another_organization_are_never_notified(org, employee, outsider):
    created = notify(kind="tests.plain", recipients=[outsider, employee], organization=org,
                     title="Hello")
    assert [n.recipient for n in created] == [employee]
    assert not Notification.objects.filter(recipient=outsider).exists()


def test_the_same_dedupe_key_notifies_once(org, employee):
    for _ in range(2):
        notify(kind="tests.plain", recipients=[employee], organization=org, title="Due",
               dedupe_key="assignment-7")
    assert Notification.objects.filter(recipient=employee).count() == 1


def test_an_unknown_kind_is_a_clear_error(org, employee):
    with pytest.raises(ValueError, match="register_kind"):
        notify(kind="tests.nope", recipients=[employee], organization=org, title="x")


def test_only_the_recipient_can_mark_a_notification_read(org, employee, employee2):
    [note] = notify(kind="tests.plain", recipients=[employee], organization=org, title="Hi")
    with pytest.raises(NotFound):
        notification_mark_read(user=employee2, notification_id=note.pk)
    assert notification_mark_read(user=employee, notification_id=note.pk).read_at is not None
