from __future__ import annotations

import io
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from chorus.common.errors import InvalidInput
from chorus.notifications.models import Notification
from chorus.speakup.models import Attachment, Concern, Message
from chorus.speakup.services import (
    concern_message_reporter,
    concern_message_staff,
)
from chorus.speakup.tests.conftest import jpeg_with_exif, pdf_with_info, png_bytes, submit, zip_of

pytestmark = pytest.mark.django_db


def test_image_exif_is_removed_before_staff_see_the_file(org):
    concern, _ = submit(org, files=[jpeg_with_exif()])

    att = Attachment.objects.get(message__concern=concern)
    from PIL import Image

    with att.file.open("rb") as fh:
        data = fh.read()
    assert b"Jane Reporter" not in data and b"PhoneMaker" not in data
    assert dict(Image.open(io.BytesIO(data)).getexif()) == {}
    assert att.mime == "image/jpeg" and "EXIF" in att.stripped


def test_pdf_document_information_and_scripts_are_removed(org):
    concern, _ = submit(org, files=[pdf_with_info()])

    att = Attachment.objects.get(message__concern=concern)
    with att.file.open("rb") as fh:
        data = fh.read()
    assert b"Jane Reporter" not in data and b"Minutes of the board" not in data
    assert b"/JavaScript" not in data and data.startswith(b"%PDF-")


def test_a_polyglot_png_loses_its_hidden_zip(org):
    hidden = zip_of({"payload.sh": b"#!/bin/sh\necho pwned\n"}).read()
    upload = SimpleUploadedFile("cat.png", png_bytes() + hidden, content_type="image/png")

    concern, _ = submit(org, files=[upload])

    with Attachment.objects.get(message__concern=concern).file.open("rb") as fh:
        data = fh.read()
    assert b"PK\x03\x04" not in data and b"pwned" not in data


def test_a_zip_of_photos_becomes_cleaned_attachments(org):
    jpeg = jpeg_with_exif().read()
    concern, _ = submit(org, files=[zip_of({"a.jpg": jpeg, "b.png": png_bytes()})])
    assert Attachment.objects.filter(message__concern=concern).count() == 2


def test_a_zip_bomb_is_refused_and_nothing_is_saved(org):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (40 * 1024 * 1024))
    bomb = SimpleUploadedFile("holiday.zip", buf.getvalue(), content_type="application/zip")
    assert len(buf.getvalue()) < 200_000

    with pytest.raises(InvalidInput) as exc:
        submit(org, files=[bomb])

    assert exc.value.field == "files" and "unpack to more than" in exc.value.message
    assert Concern.objects.count() == 0 and Attachment.objects.count() == 0


@pytest.mark.parametrize("name, body, message", [
    ("notes.docx", b"PK\x03\x04" + b"x" * 10, "damaged"),
    ("run.exe", b"MZ\x90\x00" + b"\x00" * 60, "not a PNG"),
    ("broken.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 10, "damaged"),
    ("broken.pdf", b"%PDF-1.7\nnot really", "damaged"),
])
def test_malicious_or_broken_files_get_a_clear_error(org, name, body, message):
    with pytest.raises(InvalidInput) as exc:
        submit(org, files=[SimpleUploadedFile(name, body)])
    assert exc.value.field == "files" and message in exc.value.message
    assert name in exc.value.message
    assert Concern.objects.count() == 0


def test_oversized_files_are_refused(org, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.png", png_bytes() + b"\0" * 4096, content_type="image/png")
    with pytest.raises(InvalidInput) as exc:
        submit(org, files=[big])
    assert "limit" in exc.value.message


def test_two_way_conversation_notifies_staff_and_only_a_left_contact(
        org, hr, django_capture_on_commit_callbacks):
    with_contact, _ = submit(org, contact_email="private@example.net")
    without, _ = submit(org)

    with django_capture_on_commit_callbacks(execute=True):
        concern_message_reporter(concern=with_contact, body="I have more invoices.",
                                 files=[jpeg_with_exif()])
        concern_message_staff(concern=with_contact, actor=hr, body="Please upload them.")
        concern_message_staff(concern=without, actor=hr, body="Any news?")

    assert Notification.objects.filter(kind="speakup.message", recipient=hr).count() == 1
    to_reporter = [m for m in mail.outbox if "private@example.net" in m.to]
    assert len(to_reporter) == 1 and all(hr.email in m.to for m in mail.outbox
                                         if m not in to_reporter)
    sent = to_reporter[0]
    assert sent.to == ["private@example.net"]
    # The e-mail never carries the report: no reference, category or text.
    assert "invoices" not in sent.body.lower() and with_contact.reference not in sent.body
    assert "Please upload" not in sent.body
    assert Message.objects.filter(concern=with_contact).count() == 2
