"""The reporter's pages: intake with a custom form, the key page (conversation, contact,
receipt), wrong and expired keys, brute force, and staff pages' organization isolation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from chorus.speakup.models import Concern, Message
from chorus.speakup.services import concern_close, concern_purge_expired
from chorus.speakup.tests.conftest import jpeg_with_exif, submit

pytestmark = pytest.mark.django_db


def _file(client: Client, org, form_key: str, **data):
    base = {"description": "The safety checks on line 3 are signed without being done.",
            "jurisdiction": "DE", "q_amount": "over 100k", "q_ongoing": "no"}
    base.update(data)
    return client.post(f"/speak-up/{org.slug}/{form_key}/", base)


def test_an_anonymous_reporter_files_with_the_custom_form_and_gets_a_receipt(org, fraud_form):
    client = Client()
    page = client.get(f"/speak-up/{org.slug}/fraud/")
    assert page.status_code == 200 and "How much money is involved?" in page.content.decode()

    response = _file(client, org, "fraud", contact_email="me@example.net")

    assert response.status_code == 200
    html = response.content.decode()
    key = re.search(r"data-report-key>([A-Z2-9-]{23})<", html).group(1)
    assert "Download the receipt" in html and "Acknowledge receipt" in html
    concern = Concern.objects.get()
    assert concern.answers["amount"] == "over 100k" and concern.contact_email == "me@example.net"
    receipt = client.post("/speak-up/follow-up/", {"key": key, "action": "receipt"})
    assert receipt["Content-Disposition"].startswith("attachment")
    body = receipt.content.decode()
    assert key in body and "safety checks" not in body


def test_invalid_answers_keep_everything_typed_and_say_what_is_wrong(org, fraud_form):
    response = _file(Client(), org, "fraud", q_amount="", q_ongoing="yes")

    assert response.status_code == 422
    html = response.content.decode()
    assert "How much money is involved?" in html and "(required)" in html
    assert "The safety checks on line 3" in html  # nothing lost
    assert Concern.objects.count() == 0


def test_the_key_page_shows_the_conversation_and_takes_messages_and_files(org, hr):
    concern, key = submit(org)
    client = Client()

    page = client.post("/speak-up/follow-up/", {"key": key})
    assert page.status_code == 200 and concern.reference in page.content.decode()
    sent = client.post("/speak-up/follow-up/", {"key": key, "action": "message",
                                                 "body": "Another detail.",
                                                 "files": [jpeg_with_exif()]})
    assert sent.status_code == 200 and "was sent" in sent.content.decode()
    message = Message.objects.get(concern=concern)
    assert message.author_kind == "reporter" and message.attachments.count() == 1
    empty = client.post("/speak-up/follow-up/", {"key": key, "action": "message", "body": ""})
    assert empty.status_code == 422 and "Write your message" in empty.content.decode()
    contact = client.post("/speak-up/follow-up/", {"key": key, "action": "contact",
                                                    "contact_email": "not-an-address"})
    assert contact.status_code == 422


def test_a_wrong_key_is_a_clear_422_and_brute_force_is_rate_limited(org, settings):
    settings.REPORTS_KEY_ATTEMPTS = 3
    submit(org)
    client = Client()
    for _ in range(3):
        wrong = client.post("/speak-up/follow-up/", {"key": "AAAAA-BBBBB-CCCCC-DDDDD"})
        assert wrong.status_code == 422 and "No report matches" in wrong.content.decode()
    blocked = client.post("/speak-up/follow-up/", {"key": "AAAAA-BBBBB-CCCCC-DDDDE"})
    assert blocked.status_code == 429 and blocked["Retry-After"]


def test_an_expired_key_says_the_report_was_erased(org, hr):
    concern, key = submit(org)
    concern_close(concern=concern, actor=hr, note="Unfounded after review.")
    Concern.objects.filter(pk=concern.pk).update(closed_at=timezone.now() - timedelta(days=1200))
    assert concern_purge_expired() == 1

    response = Client().post("/speak-up/follow-up/", {"key": key})

    assert response.status_code == 410
    assert "erased on" in response.content.decode()


def test_staff_pages_of_another_organization_are_404(org, hr, other_org, outsider,
                                                    client_for):
    concern, _ = submit(org)
    attachment_concern, _ = submit(org, files=[jpeg_with_exif()])
    att = attachment_concern.messages.get().attachments.get()
    client = client_for(outsider)
    assert client.get(f"/speakup/{concern.pk}/").status_code == 404
    assert client.post(f"/speakup/{concern.pk}/acknowledge/").status_code == 404
    assert client.post(f"/speakup/{concern.pk}/message/", {"body": "x"}).status_code == 404
    assert client.get(f"/speakup/files/{att.pk}/").status_code == 404
    concern.refresh_from_db()
    assert concern.acknowledged_at is None


def test_an_employee_without_the_handler_role_sees_nothing(org, employee, client_for):
    concern, _ = submit(org)
    client = client_for(employee)
    assert client.get("/speakup/").status_code == 404
    assert client.get(f"/speakup/{concern.pk}/").status_code == 404


def test_the_handler_page_shows_clocks_and_acknowledges(org, hr, client_for):
    concern, _ = submit(org)
    client = client_for(hr)
    page = client.get(f"/speakup/{concern.pk}/")
    assert page.status_code == 200 and "Acknowledge receipt" in page.content.decode()
    assert client.post(f"/speakup/{concern.pk}/acknowledge/").status_code == 302
    concern.refresh_from_db()
    assert concern.acknowledged_at is not None
    listing = client.get("/speakup/").content.decode()
    assert concern.reference in listing and "Met" in listing
    assert client.get("/speakup/register/").status_code == 200
    assert client.get("/speakup/register/?since=nope").status_code == 422
    csv = client.get("/speakup/register.csv").content.decode()
    assert concern.reference in csv
