"""Meet people where they work: an admin connects Slack through the OAuth round trip,
communications publishes content, the employee sees it in the notification center and in
the Slack drop recorded by a local Slack Web API server, clicks Share there and shares it,
and a reminder arrives at a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from e2e.conftest import login, shot

pytestmark = pytest.mark.e2e


@pytest.fixture
def peers(settings, live_server):
    from chorus.integrations.tests.servers import FakeSlack, WebhookTarget
    from chorus.notifications.testing import smtp_server

    with FakeSlack() as slack, smtp_server() as smtp, WebhookTarget() as hooks:
        settings.SITE_URL = live_server.url
        settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
        settings.SLACK_API_URL = f"{slack.url}/api/"
        settings.SLACK_AUTHORIZE_URL = f"{slack.url}/oauth/v2/authorize"
        settings.SLACK_CLIENT_ID, settings.SLACK_CLIENT_SECRET = "123.456", "client-secret"
        settings.SLACK_SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = smtp.host, smtp.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield slack, smtp, hooks


def test_content_reaches_people_in_chorus_in_slack_and_by_email(demo, new_page, peers):
    from django.utils import timezone

    from chorus.advocacy.models import ContentItem
    from chorus.advocacy.services import CaptionIn, content_create, content_transition
    from chorus.people.models import User

    slack, smtp, hooks = peers
    employee_user = User.objects.get(email="employee@northwind.example")
    slack.add_member(employee_user.email, "U0EMPLOYEE")

    # The admin connects the workspace: Chorus → Slack's consent → back with a code.
    admin = new_page()
    login(admin, "admin@northwind.example")
    admin.goto("/integrations/")
    shot(admin, "integrations-01-index")
    admin.get_by_role("link", name="Add to Slack").click()
    admin.get_by_text("Chorus is installed in the Slack workspace Northwind").wait_for()
    assert admin.get_by_label("Channel for content drops").input_value() == "C0DROPS"
    shot(admin, "integrations-02-slack-connected")
    phone = new_page(viewport={"width": 390, "height": 844})
    login(phone, "admin@northwind.example")
    phone.goto("/integrations/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "integrations-03-phone")
    [exchange] = slack.method_calls("oauth.v2.access")
    assert exchange.params["code"] == "good-code"

    # ...and subscribes the company's own system to approvals.
    admin.get_by_role("link", name="Add endpoint").click()
    admin.get_by_label("Endpoint URL").fill(f"{hooks.url}/chorus-events")
    admin.get_by_label("Advocacy content was approved").check()
    admin.get_by_role("button", name="Add endpoint").click()
    secret = admin.get_by_test_id("webhook-secret").inner_text()
    assert secret.startswith("whsec_")
    admin.get_by_role("link", name="Done").click()
    endpoint_url = admin.url

    # Someone drafted an item; communications approves (publishes) it in the hub.
    author = User.objects.get(email="admin@northwind.example")
    item = content_create(
        actor=author, title="Our Lisbon lab is open", body="A new lab for field robotics.",
        link="https://northwind.example/news/lisbon-lab",
        captions=[CaptionIn(network="mastodon", text="Our new robotics lab in Lisbon is open.")])
    content_transition(item=item, actor=author, to_status=ContentItem.Status.IN_REVIEW)
    comms = new_page()
    login(comms, "comms@northwind.example")
    comms.goto(f"/advocacy/hub/{item.pk}/")
    comms.get_by_role("button", name="Approve").click()
    comms.get_by_text("is now approved").wait_for()
    shot(comms, "integrations-04-approved")

    # The drop landed in the Slack channel, with a Share button into the share flow.
    drops = [c for c in slack.method_calls("chat.postMessage") if c.params["channel"] == "C0DROPS"]
    assert len(drops) == 1
    blocks = drops[0].params["blocks"]
    assert "Our Lisbon lab is open" in json.dumps(blocks)
    share = next(e for b in blocks if b["type"] == "actions" for e in b["elements"])
    assert share["text"]["text"] == "Share"
    assert share["url"] == f"{demo_site(comms)}/advocacy/content/{item.pk}/share/"

    # The signed event reached the subscribed system, and the delivery log shows it.
    from standardwebhooks.webhooks import Webhook

    [event] = hooks.calls
    assert Webhook(secret).verify(event.body, event.headers)["type"] == "content.approved"
    admin.goto(endpoint_url)
    admin.get_by_test_id("delivery-log").get_by_text("content.approved", exact=True).wait_for()
    admin.get_by_test_id("delivery-log").get_by_text("Delivered").wait_for()
    shot(admin, "integrations-07-webhook-log")
    phone.goto(endpoint_url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "integrations-08-webhook-log-phone")

    # The employee sees it in the notification center...
    employee = new_page()
    login(employee, "employee@northwind.example")
    employee.goto("/notifications/")
    employee.get_by_text("Our Lisbon lab is open").first.wait_for()
    shot(employee, "integrations-05-notification-center")

    # ...clicks Share in the Slack drop and shares it.
    employee.goto(share["url"])
    employee.get_by_role("link", name=re.compile(r"^Mastodon")).click()
    employee.get_by_label("Your Mastodon server").fill("https://fosstodon.org/")
    employee.get_by_role("button", name="Share to Mastodon").click()
    employee.get_by_role("heading", name="Your post is ready").wait_for()
    shot(employee, "integrations-06-shared-from-slack")

    # The drop also arrived by e-mail through the real SMTP server.
    to_employee = [m for m in smtp.messages if m["To"] == employee_user.email]
    assert any("Our Lisbon lab is open" in m["Subject"] for m in to_employee)

    # A week later the attestation reminder goes out by SMTP too.
    from chorus.onboarding.services.reminders import reminders_send

    before = len(smtp.messages)
    run = reminders_send(now=timezone.now() + timedelta(days=8))
    reminders = [m for m in smtp.messages[before:] if "Reminder" in m["Subject"]]
    assert run.reminders >= 1 and reminders, [m["Subject"] for m in smtp.messages[before:]]
    body = reminders[0].get_body(preferencelist=("plain",)).get_content()
    assert "social media policy" in body.lower()


def demo_site(page) -> str:
    from django.conf import settings

    return settings.SITE_URL
