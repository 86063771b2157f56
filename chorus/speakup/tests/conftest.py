"""Speak-up helpers: media in a temporary folder, mail in memory, a fresh key-attempt count,
files to upload (with metadata to strip, and malicious ones), and a one-call submit."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from chorus.speakup.models import IntakeForm
from chorus.speakup.services import concern_submit, ensure_default_form, intake_form_save


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.LEGAL_EXPORT_ROOT = str(tmp_path / "exports")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _fresh_key_attempts(request):
    if request.node.get_closest_marker("django_db") is not None:
        cache.clear()
    yield
    if request.node.get_closest_marker("django_db") is not None:
        cache.clear()


def jpeg_with_exif(name: str = "photo.jpg") -> SimpleUploadedFile:
    from PIL import Image

    img = Image.new("RGB", (32, 24), (200, 10, 10))
    exif = Image.Exif()
    exif[0x013B] = "Jane Reporter"  # Artist
    exif[0x010F] = "PhoneMaker"  # Make
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 120, 0)).save(buf, "PNG")
    return buf.getvalue()


def pdf_with_info(name: str = "doc.pdf") -> SimpleUploadedFile:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": "Jane Reporter", "/Title": "Minutes of the board"})
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert('hi');")})
    buf = io.BytesIO()
    writer.write(buf)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="application/pdf")


def zip_of(members: dict[str, bytes], name: str = "files.zip") -> SimpleUploadedFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="application/zip")


@pytest.fixture
def fraud_form(org, admin) -> IntakeForm:
    intake_form_save(organization=org, actor=admin, key="fraud", label="Fraud or corruption",
                     questions=[
                         {"key": "amount", "label": "How much money is involved?",
                          "type": "choice", "required": True,
                          "choices": ["under 10k", "10k-100k", "over 100k"]},
                         {"key": "ongoing", "label": "Is it still going on?", "type": "yesno",
                          "required": True},
                         {"key": "who_knows", "label": "Who else knows?", "type": "textarea",
                          "required": True, "show_if": {"key": "ongoing", "equals": "yes"}},
                         {"key": "since", "label": "Since when?", "type": "date",
                          "required": False},
                     ])
    return IntakeForm.objects.get(organization=org, key="fraud")


def submit(org: Any, form: IntakeForm | None = None, **overrides: Any) -> tuple[Any, str]:
    form = form or ensure_default_form(org)
    answers = overrides.pop("answers", None)
    if answers is None:
        answers = ({"amount": "over 100k", "ongoing": "no"} if form.key == "fraud"
                   else {"ongoing": "no"})
    fields = {"description": "Invoices from a shell company are approved without goods.",
              "answers": answers, "jurisdiction": "DE"}
    fields.update(overrides)
    return concern_submit(organization=org, form=form, **fields)
