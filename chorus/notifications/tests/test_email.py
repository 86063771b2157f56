"""E-mail through a real SMTP server started in the test (aiosmtpd): templates, headers,
one-click unsubscribe (RFC 8058), refusals that are retried and recorded."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from chorus.notifications.kinds import EMAIL, NotificationKind, register_kind
from chorus.notifications.models import Delivery, DeliveryAttempt
from chorus.notifications.services import deliveries_dispatch_due, notify
from chorus.notifications.testing import smtp_server

NEWS = register_kind(NotificationKind("tests.news", "New content to share"))
CASE = register_kind(NotificationKind(
    "tests.case", "A case step", sensitive=True, mandatory=True,
    neutral_title="A step in a case needs you",
))  # fmt: skip

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    with smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
        yield server


def _make_due(delivery):
    """Let the backoff elapse (move the delivery's time back rather than the clock forward)."""
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def _parts(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_an_email_arrives_with_text_and_html_in_the_recipients_language_and_zone(
    org, employee, smtp, django_capture_on_commit_callbacks
):
    org.language = "de"
    org.save(update_fields=["language"])
    employee.timezone = "Europe/Berlin"
    employee.save(update_fields=["timezone"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="tests.news", recipients=[employee], organization=org,
               title="Spring launch is live", body="Share the launch post.",
               link="/advocacy/")  # fmt: skip

    [message] = smtp.to(employee.email)
    assert message["Subject"] == "Spring launch is live"
    text, html = _parts(message)
    assert "Share the launch post." in text and "/advocacy/" in text
    assert "Spring launch is live" in html and 'lang="de"' in html
    assert "CET" in text  # the date in the recipient's zone, not UTC
    assert Delivery.objects.get(channel=EMAIL).status == Delivery.Status.SENT


def test_a_non_mandatory_kind_carries_one_click_unsubscribe_that_works_without_csrf(
    org, employee, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="tests.news", recipients=[employee], organization=org, title="First")
    [message] = smtp.to(employee.email)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.search(r"<([^>]+)>", str(message["List-Unsubscribe"])).group(1)
    path = urlsplit(url).path
    browser = Client(enforce_csrf_checks=True)

    page = browser.get(path)  # a link scanner's GET changes nothing
    assert page.status_code == 200 and b"Unsubscribe" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="tests.news", recipients=[employee], organization=org, title="Second")
    assert len(smtp.to(employee.email)) == 2

    response = browser.post(path, data="List-Unsubscribe=One-Click",
                            content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert response.status_code == 200 and b"Unsubscribed" in response.content
    with django_capture_on_commit_callbacks(execute=True):
        [third] = notify(kind="tests.news", recipients=[employee], organization=org,
                         title="Third")  # fmt: skip
    assert len(smtp.to(employee.email)) == 2  # no more e-mail of that kind...
    assert not third.deliveries.filter(channel=EMAIL).exists()  # ...but still in Chorus


def test_a_tampered_unsubscribe_link_is_refused_and_changes_nothing(client, employee):
    response = client.post("/n/unsubscribe/not-a-signed-token")
    assert response.status_code == 400
    assert b"does not work" in response.content


def test_a_mandatory_sensitive_kind_has_no_unsubscribe_and_no_confidential_content(
    org, hr, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="tests.case", recipients=[hr], organization=org,
               title="Response from Emery Diaz", body="I posted it because...",
               link="/incidents/4/")  # fmt: skip
    [message] = smtp.to(hr.email)
    assert message["List-Unsubscribe"] is None
    assert message["Subject"] == "A step in a case needs you"
    text, html = _parts(message)
    for part in (text, html, str(message)):
        assert "Emery" not in part and "I posted it" not in part
    assert "/incidents/4/" in text and "/incidents/4/" in html


def test_an_smtp_refusal_is_retried_with_backoff_and_recorded_while_others_get_theirs(
    org, employee, employee2, smtp, django_capture_on_commit_callbacks
):
    smtp.refuse[employee.email] = "451 4.3.0 Mailbox busy, try again later"
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="tests.news", recipients=[employee, employee2], organization=org,
               title="New drop", now=start)  # fmt: skip

    assert len(smtp.to(employee2.email)) == 1  # the refusal did not block the others
    refused = Delivery.objects.get(notification__recipient=employee)
    assert refused.status == Delivery.Status.RETRYING and refused.attempts == 1
    assert "451" in refused.last_error
    first_wait = refused.next_attempt_at - start
    assert timedelta(seconds=50) < first_wait <= timedelta(seconds=70)
    [attempt] = DeliveryAttempt.objects.filter(delivery=refused)
    assert attempt.outcome == "retrying" and "451" in attempt.error

    # Still refusing when the wait is over: the wait doubles.
    _make_due(refused)
    deliveries_dispatch_due()
    refused.refresh_from_db()
    assert refused.attempts == 2 and refused.status == Delivery.Status.RETRYING
    assert timedelta(seconds=100) < refused.next_attempt_at - timezone.now() <= timedelta(
        seconds=125
    )
    assert deliveries_dispatch_due() == 0  # not due yet: nothing is sent early

    # The server recovers: the next due run delivers it, once.
    del smtp.refuse[employee.email]
    _make_due(refused)
    deliveries_dispatch_due()
    deliveries_dispatch_due()
    refused.refresh_from_db()
    assert refused.status == Delivery.Status.SENT and refused.attempts == 3
    assert len(smtp.to(employee.email)) == 1
    assert list(DeliveryAttempt.objects.filter(delivery=refused).order_by("number")
                .values_list("outcome", flat=True)) == ["retrying", "retrying", "sent"]


def test_a_permanent_smtp_refusal_fails_at_once_without_retrying(
    org, employee, smtp, django_capture_on_commit_callbacks
):
    smtp.refuse[employee.email] = "550 5.1.1 No such user here"
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="tests.news", recipients=[employee], organization=org, title="Hello")
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and "550" in delivery.last_error
    assert delivery.next_attempt_at is None


def test_an_unreachable_mail_server_is_retried(
    org, employee, settings, django_capture_on_commit_callbacks
):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind="tests.news", recipients=[employee], organization=org, title="Hello")
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.RETRYING
    assert "did not answer" in delivery.last_error or "refused" in delivery.last_error


def test_email_url_configures_a_real_smtp_backend(monkeypatch):
    import importlib

    import config.settings as settings_module

    monkeypatch.setenv("EMAIL_URL", "smtp://mailer%40northwind.example:s3cret@mail.example:587?tls=true")
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    try:
        reloaded = importlib.reload(settings_module)
        assert reloaded.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
        assert (reloaded.EMAIL_HOST, reloaded.EMAIL_PORT) == ("mail.example", 587)
        assert reloaded.EMAIL_HOST_USER == "mailer@northwind.example"
        assert reloaded.EMAIL_HOST_PASSWORD == "s3cret"
        assert reloaded.EMAIL_USE_TLS is True and reloaded.EMAIL_USE_SSL is False
        monkeypatch.setenv("EMAIL_URL", "http://mail.example")
        from django.core.exceptions import ImproperlyConfigured

        with pytest.raises(ImproperlyConfigured, match="smtp://"):
            importlib.reload(settings_module)
    finally:
        monkeypatch.delenv("EMAIL_URL", raising=False)
        importlib.reload(settings_module)
