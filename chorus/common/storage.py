"""File storage for uploads that never leaves a partial file behind.

Django's `FileSystemStorage` writes straight to the final name, so a disk that fills up
mid-write leaves a truncated file there. `AtomicFileSystemStorage` writes to a hidden
temporary file in the same directory, flushes it to disk, and only then links it under its
final name; any error removes the temporary file. A full disk (ENOSPC) or an exceeded quota
(EDQUOT) raises `StorageFull`, a domain error with a message for the user (HTTP 507), and the
calling service's transaction rolls back its rows, so no record points at a missing file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from typing import Any

from django.core.files.storage import FileSystemStorage

from chorus.common.errors import StorageFull

FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        try:
            os.makedirs(directory, exist_ok=True)
            if self.directory_permissions_mode is not None:
                os.chmod(directory, self.directory_permissions_mode)
            fd, temp_path = tempfile.mkstemp(dir=directory, prefix=".upload-", suffix=".part")
        except OSError as exc:
            if exc.errno in FULL_ERRNOS:
                raise self._full(name) from exc
            raise
        try:
            try:
                if hasattr(content, "seek"):
                    content.seek(0)
                for chunk in content.chunks():
                    _write_all(fd, chunk if isinstance(chunk, bytes) else chunk.encode())
                os.fsync(fd)
            finally:
                os.close(fd)
            name, full_path = self._link_unique(temp_path, name, full_path)
        except OSError as exc:
            if exc.errno in FULL_ERRNOS:
                raise self._full(name) from exc
            raise
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_path)
        if self.file_permissions_mode is not None:
            os.chmod(full_path, self.file_permissions_mode)
        return str(name).replace("\\", "/")

    def _link_unique(self, temp_path: str, name: str, full_path: str) -> tuple[str, str]:
        """Give the finished file its name without overwriting one saved meanwhile."""
        while True:
            try:
                os.link(temp_path, full_path)
                return name, full_path
            except FileExistsError:
                name = self.get_available_name(name)
                full_path = self.path(name)

    @staticmethod
    def _full(name: str) -> StorageFull:
        return StorageFull(
            f"The server ran out of storage space while saving {os.path.basename(name)}, so "
            "nothing was saved. Try again later, and tell your administrator that the upload "
            "storage is full."
        )
