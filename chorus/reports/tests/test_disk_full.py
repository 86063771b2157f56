"""A report whose screenshot cannot be stored (disk full) is refused whole, with a clear error."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from chorus.common import storage as storage_module
from chorus.reports.models import Evidence, Report, Submission
from chorus.reports.tests.conftest import png

pytestmark = pytest.mark.django_db
FORM = {
    "url": "https://x.com/someone/status/1",
    "category": "harassment",
    "description": "Threatening a colleague",
}


def test_a_full_disk_refuses_the_report_with_a_clear_message_and_keeps_nothing(
    client_for, employee, monkeypatch
):
    def no_space(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage_module.os, "write", no_space)

    response = client_for(employee).post(
        reverse("reports:create"), {**FORM, "screenshots": [png("shot.png")]}
    )

    body = response.content.decode()
    assert "ran out of storage space while saving" in body and "nothing was saved" in body
    assert not Report.objects.exists() and not Submission.objects.exists()
    assert not Evidence.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]


def test_the_same_report_goes_through_once_there_is_space_again(client_for, employee):
    os.makedirs(settings.MEDIA_ROOT, exist_ok=True)
    client_for(employee).post(reverse("reports:create"), {**FORM, "screenshots": [png("shot.png")]})
    assert Evidence.objects.count() == 1 and Evidence.objects.get().file.size > 0


@pytest.fixture
def tiny_disk(tmp_path, settings):
    """A real 256 KB tmpfs as MEDIA_ROOT (root only: mounting needs CAP_SYS_ADMIN)."""
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    mountpoint = tmp_path / "tiny"
    mountpoint.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mountpoint)], check=True
    )
    settings.MEDIA_ROOT = str(mountpoint)
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


@pytest.mark.faults
def test_a_really_full_disk_refuses_the_upload_and_keeps_no_partial_file(
    client_for, employee, tiny_disk
):
    response = client_for(employee).post(
        reverse("reports:create"), {**FORM, "screenshots": [png("big.png", size=400 * 1024)]}
    )

    assert "ran out of storage space while saving" in response.content.decode()
    assert not Report.objects.exists() and not Evidence.objects.exists()
    assert [p for p in tiny_disk.rglob("*") if p.is_file()] == []
