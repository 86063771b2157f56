"""A disk that fills up while an upload is written leaves no partial file and says so."""

from __future__ import annotations

import errno
import os

import pytest
from django.core.files.base import ContentFile

from chorus.common import storage as storage_module
from chorus.common.errors import StorageFull
from chorus.common.storage import AtomicFileSystemStorage


def disk_fills_after(monkeypatch, limit: int) -> None:
    """The kernel's answer once `limit` bytes are written: ENOSPC, as on a full disk."""
    written = {"n": 0}
    real_write = os.write

    def write(fd: int, data) -> int:
        if written["n"] + len(data) > limit:
            raise OSError(errno.ENOSPC, "No space left on device")
        written["n"] += len(data)
        return real_write(fd, data)

    monkeypatch.setattr(storage_module.os, "write", write)


class Chunked(ContentFile):
    def chunks(self, chunk_size=None):
        data = self.read()
        for start in range(0, len(data), 1000):
            yield data[start : start + 1000]


def test_a_file_is_saved_whole_under_its_name(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    name = storage.save("evidence/shot.png", Chunked(b"x" * 5000))
    assert (tmp_path / name).read_bytes() == b"x" * 5000
    assert [p.name for p in (tmp_path / "evidence").iterdir()] == ["shot.png"]


def test_a_name_taken_meanwhile_is_not_overwritten(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    first = storage.save("a.png", ContentFile(b"first"))
    second = storage.save("a.png", ContentFile(b"second"))
    assert first != second
    assert (tmp_path / first).read_bytes() == b"first"
    assert (tmp_path / second).read_bytes() == b"second"


@pytest.mark.parametrize("limit", [0, 2500])
def test_a_full_disk_raises_a_clear_error_and_leaves_no_partial_file(tmp_path, monkeypatch, limit):
    storage = AtomicFileSystemStorage(location=tmp_path)
    (tmp_path / "evidence").mkdir()
    disk_fills_after(monkeypatch, limit)

    with pytest.raises(StorageFull) as caught:
        storage.save("evidence/shot.png", Chunked(b"x" * 5000))

    assert caught.value.status_code == 507
    assert "ran out of storage space while saving shot.png" in caught.value.message
    assert "nothing was saved" in caught.value.message
    assert list((tmp_path / "evidence").iterdir()) == []


def test_other_storage_errors_are_not_disguised(tmp_path, monkeypatch):
    storage = AtomicFileSystemStorage(location=tmp_path)

    def broken(fd, data):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(storage_module.os, "write", broken)
    with pytest.raises(OSError) as caught:
        storage.save("shot.png", ContentFile(b"x"))
    assert caught.value.errno == errno.EIO and not isinstance(caught.value, StorageFull)
    assert list(tmp_path.iterdir()) == []
