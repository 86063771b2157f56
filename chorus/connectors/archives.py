"""Reading the files we need out of an export ``.zip`` a person uploaded, with the cost bounded
whatever the archive claims about itself.

A zip's directory can lie (``file_size`` is only a header field) and one 400 KB entry can
inflate to gigabytes, so members are decompressed in chunks and the bytes really produced are
counted: past ``MAX_UNCOMPRESSED_BYTES`` in total, or more than ``MAX_MEMBERS`` matching
members, or a directory of more than ``MAX_ENTRIES`` entries, the archive is refused with a
``ConnectorError(permanent=True)`` that says what to upload instead. Nothing is extracted to
disk, so entry names (``../../etc/passwd``) never matter.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable, Iterator

from chorus.connectors.base import ConnectorError

MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  # the real exports we read are a few MB
MAX_MEMBERS = 100  # tweets-part*.js or Shares_*.csv files read from one archive
MAX_ENTRIES = 100_000  # entries in the whole directory (photos, videos, other data)
CHUNK = 1024 * 1024

#: ``progress(done, total)`` in uncompressed bytes; called as members are read.
Progress = Callable[[int, int], None]


def is_zip(data: bytes) -> bool:
    return data[:2] == b"PK"


def _too_large(what: str, limit: int | None = None) -> ConnectorError:
    limit = MAX_UNCOMPRESSED_BYTES if limit is None else limit
    return ConnectorError(
        f"The files in this .zip unpack to more than {limit // 1_048_576} MB. "
        f"Upload only {what} instead of the whole archive.",
        permanent=True,
    )


def _declared_size(infos: list[zipfile.ZipInfo]) -> int:
    """What the directory claims; only a first, cheap refusal (the bytes read are counted)."""
    return sum(i.file_size for i in infos)


def _damaged() -> ConnectorError:
    return ConnectorError("The .zip file is damaged; download the export again.", permanent=True)


def read_members(
    data: bytes, *, select: Callable[[str], bool], what: str, missing: str,
    first_only: bool = False, progress: Progress | None = None,
    max_bytes: int | None = None, max_members: int | None = None,
) -> Iterator[tuple[str, bytes]]:  # fmt: skip
    """Yield ``(name, bytes)`` for the members whose name ``select`` accepts, in name order.

    ``what`` names the file to upload instead (for the error messages), ``missing`` is the
    message when no member matches. The total of the bytes yielded never exceeds
    ``max_bytes`` (``MAX_UNCOMPRESSED_BYTES`` unless a caller needs less, e.g. attachments)."""
    # Read the module's caps at call time (tests and callers may narrow them).
    max_bytes = MAX_UNCOMPRESSED_BYTES if max_bytes is None else max_bytes
    max_members = MAX_MEMBERS if max_members is None else max_members
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError,
            NotImplementedError, RuntimeError):  # fmt: skip
        raise _damaged() from None
    if len(infos) > MAX_ENTRIES:
        raise ConnectorError(
            f"This .zip holds more than {MAX_ENTRIES:,} files. Upload only {what}.",
            permanent=True,
        )
    chosen = sorted((i for i in infos if not i.is_dir() and select(i.filename)),
                    key=lambda i: i.filename)  # fmt: skip
    if not chosen:
        raise ConnectorError(missing, permanent=True)
    if first_only:
        chosen = chosen[:1]
    if len(chosen) > max_members:
        raise ConnectorError(
            f"This .zip holds {len(chosen)} files to import; the limit is {max_members}. "
            f"Upload only {what}.",
            permanent=True,
        )
    declared = _declared_size(chosen)
    if declared > max_bytes:
        raise _too_large(what, max_bytes)  # refused before inflating anything
    done = 0
    for info in chosen:
        parts: list[bytes] = []
        try:
            with archive.open(info) as member:
                while chunk := member.read(CHUNK):
                    done += len(chunk)
                    if done > max_bytes:  # the directory lied about the size
                        raise _too_large(what, max_bytes)
                    parts.append(chunk)
                    if progress is not None:
                        progress(done, max(declared, done))
        except ConnectorError:
            raise
        except RuntimeError as exc:  # encrypted member
            raise ConnectorError(
                f"{info.filename} in this .zip is password-protected; upload it unencrypted.",
                permanent=True,
            ) from exc
        except NotImplementedError as exc:  # compression method we cannot read
            raise ConnectorError(
                f"{info.filename} uses a compression method we cannot read; extract it and "
                f"upload {what}.",
                permanent=True,
            ) from exc
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError):
            raise _damaged() from None
        yield info.filename, b"".join(parts)
