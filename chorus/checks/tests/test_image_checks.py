"""Images on the check page: upload, OCR with real Tesseract, findings drawn on the picture."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from chorus.checks.models import ImageCheck

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def screenshot(lines: list[str], *, size=(1100, 90), fmt="PNG", exif: bool = False) -> bytes:
    """A screenshot-like picture: black text on white, drawn here so the test knows the text."""
    img = Image.new("RGB", (size[0], size[1] * len(lines)), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype("DejaVuSans.ttf", 34)
    for i, line in enumerate(lines):
        draw.text((24, 24 + i * size[1]), line, fill="black", font=font)
    out = io.BytesIO()
    if exif:
        info = Image.Exif()
        info[0x013B] = "Jane Q. Photographer"  # Artist
        img.save(out, fmt, exif=info)
    else:
        img.save(out, fmt)
    return out.getvalue()


def upload(client, data: bytes, name: str = "shot.png", **extra):
    return client.post(
        "/check/images/",
        {"image": SimpleUploadedFile(name, data, content_type="image/png"), **extra},
        HTTP_HX_REQUEST="true",
    )


def test_text_in_a_screenshot_is_read_screened_and_marked_on_the_image(
    client_for, employee, django_capture_on_commit_callbacks
):
    client = client_for(employee)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, screenshot(["CONFIDENTIAL: Q3 revenue down 20%"]))
    assert response.status_code == 202
    record = ImageCheck.objects.get()
    assert record.status == "done", record.error
    assert "CONFIDENTIAL" in record.text and "revenue" in record.text
    assert record.result["verdict"] in {"warn", "block"}
    categories = {f["category"] for f in record.result["findings"]}
    assert categories & {"confidential", "mnpi"}
    # every finding points at word boxes inside the image
    assert record.regions and all(r["boxes"] for r in record.regions)
    box = record.regions[0]["boxes"][0]
    left, top, width, height = box["px"]
    assert 0 <= left < record.width and 0 <= top < record.height and width > 0 and height > 0

    page = client.get(f"/check/images/{record.pk}/", HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert 'class="ocr-box' in html and 'data-testid="image-findings"' in html
    assert "hx-trigger" not in html  # finished: no more polling
    picture = client.get(f"/check/images/{record.pk}/file/")
    assert picture["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(picture.content)).size == (record.width, record.height)


def test_german_text_is_read_with_its_umlauts(
    client_for, employee, django_capture_on_commit_callbacks
):
    client = client_for(employee)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, screenshot(["VERTRAULICH: Die Übernahme von Müller"]), language="de")
    record = ImageCheck.objects.get()
    assert record.status == "done", record.error
    assert "Übernahme" in record.text and "Müller" in record.text


def test_progress_is_polled_while_the_worker_has_not_read_the_image(client_for, employee):
    client = client_for(employee)
    response = upload(client, screenshot(["Hello team"]))  # on-commit not run: still queued
    html = response.content.decode()
    record = ImageCheck.objects.get()
    assert record.status == "queued"
    assert f'hx-get="/check/images/{record.pk}/"' in html and 'hx-trigger="every 1s"' in html
    assert "<progress" in html


def test_exif_is_stripped_from_the_stored_image(client_for, employee):
    client = client_for(employee)
    data = screenshot(["Hello"], fmt="JPEG", exif=True)
    assert b"Jane Q. Photographer" in data
    upload(client, data, name="photo.jpg")
    record = ImageCheck.objects.get()
    stored = record.file.open("rb").read()
    assert stored.startswith(b"\x89PNG") and b"Jane Q. Photographer" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.7 not an image at all", "notes.pdf", "is not a PNG, JPEG, GIF or WebP image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 40, "broken.png", "is damaged"),
        (b"", "empty.png", "Choose an image"),
    ],
)
def test_a_wrong_file_is_refused_with_a_clear_message_and_nothing_is_stored(
    client_for, employee, data, name, message
):
    response = upload(client_for(employee), data, name=name)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ImageCheck.objects.exists()


def test_a_truncated_png_is_refused(client_for, employee):
    data = screenshot(["Hello"])
    response = upload(client_for(employee), data[: len(data) // 2], name="cut.png")
    assert response.status_code == 422 and "is damaged" in response.content.decode()


def test_an_oversized_image_is_refused_before_decoding(client_for, employee, settings):
    settings.UPLOAD_MAX_BYTES = 2000
    response = upload(client_for(employee), screenshot(["Hello"] * 3))
    assert response.status_code == 422
    assert "the limit is" in response.content.decode()
    assert not ImageCheck.objects.exists()


def test_a_decompression_bomb_is_refused(client_for, employee):
    # 12,000 x 12,000 white pixels compress to a few hundred kB but decode to 432 MB
    img = Image.new("1", (12_000, 12_000), 1)
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    response = upload(client_for(employee), out.getvalue(), name="bomb.png")
    assert response.status_code == 422
    assert "megapixels" in response.content.decode()


def test_an_image_of_another_user_or_organization_is_a_404(
    client_for, employee, employee2, outsider
):
    upload(client_for(employee), screenshot(["Hello"]))
    record = ImageCheck.objects.get()
    for other in (employee2, outsider):
        client = client_for(other)
        assert client.get(f"/check/images/{record.pk}/").status_code == 404
        assert client.get(f"/check/images/{record.pk}/file/").status_code == 404


def test_the_check_page_offers_the_image_upload(client_for, employee):
    html = client_for(employee).get("/check/").content.decode()
    assert 'hx-encoding="multipart/form-data"' in html and 'name="image"' in html
    assert not re.search(r"<script(?![^>]*src=)", html)


def test_ocr_failures_are_recorded_with_a_message(
    client_for, employee, settings, django_capture_on_commit_callbacks
):
    settings.OCR_TESSERACT = "tesseract-not-installed-here"
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(employee), screenshot(["Hello"]))
    record = ImageCheck.objects.get()
    assert record.status == "failed" and "Tesseract OCR is not installed" in record.error


def test_old_image_checks_are_purged_with_their_files(client_for, employee, settings):
    from datetime import timedelta

    from django.utils import timezone

    from chorus.checks.jobs import check_jobs_purge

    upload(client_for(employee), screenshot(["Hello"]))
    record = ImageCheck.objects.get()
    path = record.file.path
    assert check_jobs_purge(now=timezone.now() + timedelta(hours=25)) == 1
    assert not ImageCheck.objects.exists()
    import os

    assert not os.path.exists(path)
