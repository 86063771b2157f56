"""Archive uploads (issue 11): size checked from upload.size before reading, the file parsed by
the worker (never in the request), progress on the page, clear errors, one import at a time."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chorus.common.errors import Conflict
from chorus.monitoring.consent import CONSENT_VERSION
from chorus.monitoring.models import ArchiveImport, IngestedPost, Network
from chorus.monitoring.services import (
    account_link,
    archive_import,
    archive_import_run,
    archive_import_upload,
)
from chorus.monitoring.services.base import MonitoringError
from chorus.monitoring.tests.conftest import when

pytestmark = pytest.mark.django_db

TWEETS = (Path(__file__).resolve().parents[2] / "connectors/x_archive/fixtures/tweets.js"
          ).read_bytes()  # fmt: skip
MiB = 1024 * 1024


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def x_account(employee, monitoring_on):
    return account_link(
        user=employee,
        network=Network.X_ARCHIVE,
        handle="@emery",
        agreed=True,
        consent_version=CONSENT_VERSION,
        read_from=when(2026, 5, 25),
    )


@pytest.fixture
def li_account(employee, monitoring_on):
    return account_link(
        user=employee,
        network=Network.LINKEDIN_EXPORT,
        handle="emery",
        agreed=True,
        consent_version=CONSENT_VERSION,
        read_from=when(2026, 5, 25),
    )


def linkedin_bomb(mib: int = 110) -> bytes:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("Shares.csv", "w", force_zip64=True) as member,
    ):
        member.write(b"Date,ShareLink,ShareCommentary\n")
        block = b"\n" * MiB
        for _ in range(mib):
            member.write(block)
    return buffer.getvalue()


class Unreadable:
    """An upload that must be refused from its size alone: reading it fails the test."""

    name = "huge.zip"

    def __init__(self, size: int) -> None:
        self.size = size

    def read(self, *args):
        raise AssertionError("the upload was read before its size was checked")

    chunks = read


def test_an_oversized_upload_is_refused_from_its_size_without_reading(employee, x_account):
    with pytest.raises(MonitoringError, match="larger than 50 MB") as exc:
        archive_import_upload(user=employee, account=x_account, upload=Unreadable(51 * MiB))
    assert exc.value.field == "file"
    assert ArchiveImport.objects.count() == 0


def test_the_page_refuses_an_oversized_file_with_the_limit(
    employee, x_account, client_for, monkeypatch
):
    monkeypatch.setattr("chorus.monitoring.services.ingestion.MAX_ARCHIVE_BYTES", 1000)
    response = client_for(employee).post(
        f"/monitoring/accounts/{x_account.pk}/import/",
        {"file": SimpleUploadedFile("tweets.js", b"x" * 2000)},
    )
    assert response.status_code == 422
    assert "The file is larger than" in response.content.decode()
    assert ArchiveImport.objects.count() == 0


def test_a_zip_bomb_is_not_parsed_in_the_request_and_fails_clearly_in_the_worker(
    employee, li_account, client_for, django_capture_on_commit_callbacks, media
):
    client = client_for(employee)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            f"/monitoring/accounts/{li_account.pk}/import/",
            {"file": SimpleUploadedFile("export.zip", linkedin_bomb())},
        )
    assert response.status_code == 302
    record = ArchiveImport.objects.get()
    assert (record.status, record.progress) == ("queued", 0)  # nothing parsed in the request
    page = client.get(f"/monitoring/accounts/{li_account.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and "Waiting" in page

    for callback in callbacks:  # the worker runs archive_import_task
        callback()

    record.refresh_from_db()
    assert record.status == "failed" and "unpack to more than 100 MB" in record.error
    assert not record.file and list(media.rglob("*.upload")) == []
    assert not IngestedPost.objects.exists()
    page = client.get(f"/monitoring/accounts/{li_account.pk}/").content.decode()
    assert "unpack to more than 100 MB" in page and "every 2s" not in page


def test_the_worker_imports_and_reports_progress_to_done(
    employee, x_account, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record = archive_import_upload(
            user=employee, account=x_account, upload=SimpleUploadedFile("tweets.js", TWEETS)
        )
    record.refresh_from_db()
    assert (record.status, record.progress) == ("done", 100)
    assert record.summary.startswith("2 new posts imported")
    assert IngestedPost.objects.filter(account=x_account).count() == 2
    # Safe to repeat: a finished import is left alone.
    assert archive_import_run(import_id=record.pk).status == "done"


def test_progress_moves_forward_while_posts_are_stored(employee, x_account):
    seen: list[tuple[int, int]] = []
    archive_import(
        user=employee,
        account=x_account,
        data=TWEETS,
        filename="tweets.js",
        progress=lambda done, total: seen.append((done, total)),
    )
    fractions = [d / t for d, t in seen]
    assert fractions == sorted(fractions) and fractions[-1] >= 1


def test_only_one_import_per_account_at_a_time(employee, x_account):
    archive_import_upload(
        user=employee, account=x_account, upload=SimpleUploadedFile("tweets.js", TWEETS)
    )
    with pytest.raises(Conflict, match="still running"):
        archive_import_upload(
            user=employee, account=x_account, upload=SimpleUploadedFile("tweets.js", TWEETS)
        )


def test_the_progress_fragment_is_owner_only(employee, employee2, x_account, client_for, outsider):
    archive_import_upload(
        user=employee, account=x_account, upload=SimpleUploadedFile("tweets.js", TWEETS)
    )
    url = f"/monitoring/accounts/{x_account.pk}/import/status/"
    fragment = client_for(employee).get(url)
    assert fragment.status_code == 200 and "tweets.js" in fragment.content.decode()
    assert client_for(employee2).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404
