"""Export archives under attack (issue 11): zip bombs, many entries, damaged and encrypted
files give a clear ConnectorError, without inflating what the limits refuse."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from chorus.connectors import archives
from chorus.connectors.base import ConnectorError
from chorus.connectors.linkedin_export.adapter import LinkedInExportConnector
from chorus.connectors.x_archive.adapter import XArchiveConnector

MiB = 1024 * 1024
TWEET = (b'{"tweet": {"id_str": "1", "created_at": "Sat Feb 18 12:33:11 +0000 2023", '
         b'"full_text": "hello"}}')  # fmt: skip


def bomb(entries: dict[str, tuple[bytes, bytes, int]]) -> bytes:
    """A deflated zip; each entry is (head, filler, filler_mib): head + filler * n MiB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, (head, filler, mib) in entries.items():
            with archive.open(name, "w", force_zip64=True) as member:
                member.write(head)
                block = filler * MiB
                for _ in range(mib):
                    member.write(block)
    return buffer.getvalue()


def parse_within(connector, data: bytes, limit: int = 30 * MiB):
    """Parse, asserting the Python heap never grew by more than `limit` bytes on the way."""
    tracemalloc.start()
    try:
        return connector.parse_archive(data, filename="export.zip")
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak < limit, f"peak {peak / MiB:.0f} MiB"


def test_a_linkedin_zip_bomb_is_refused_without_inflating_it():
    data = bomb({"Shares.csv": (b"Date,ShareLink,ShareCommentary\n", b"\n", 110)})
    assert len(data) < 1 * MiB  # a small upload...
    with pytest.raises(ConnectorError, match="unpack to more than 100 MB") as exc:
        parse_within(LinkedInExportConnector(), data)  # ...that would inflate to 110 MiB
    assert exc.value.permanent and "Upload only Shares.csv" in exc.value.message


def test_many_x_entries_each_small_enough_are_capped_in_total():
    head = b"window.YTD.tweets.part0 = ["
    data = bomb({f"data/tweets-part{i}.js": (head, b" ", 40) for i in range(3)})
    with pytest.raises(ConnectorError, match="unpack to more than 100 MB"):
        parse_within(XArchiveConnector(), data)


def test_a_directory_that_lies_about_sizes_is_still_capped(monkeypatch):
    # Count the bytes really produced, not ZipInfo.file_size: pretend the directory says 0.
    monkeypatch.setattr(archives, "MAX_UNCOMPRESSED_BYTES", 2 * MiB)
    data = bomb({"Shares.csv": (b"Date,ShareLink,ShareCommentary\n", b"\n", 3)})
    monkeypatch.setattr(archives, "_declared_size", lambda infos: 0)
    with pytest.raises(ConnectorError, match="unpack to more than 2 MB"):
        LinkedInExportConnector().parse_archive(data)


def test_too_many_matching_entries_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(archives.MAX_MEMBERS + 1):
            archive.writestr(
                f"data/tweets-part{i}.js", b"window.YTD.tweets.part0 = [" + TWEET + b"]"
            )
    with pytest.raises(ConnectorError, match="the limit is 100"):
        XArchiveConnector().parse_archive(buffer.getvalue())


def test_a_directory_with_too_many_entries_is_refused(monkeypatch):
    monkeypatch.setattr(archives, "MAX_ENTRIES", 10)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(11):
            archive.writestr(f"media/{i}.jpg", b"x")
    with pytest.raises(ConnectorError, match="more than 10 files"):
        XArchiveConnector().parse_archive(buffer.getvalue())


def test_several_x_parts_are_read_and_progress_is_reported():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(3):
            tweet = TWEET.replace(b'"1"', f'"{i + 1}"'.encode())
            archive.writestr(
                f"data/tweets-part{i}.js", b"window.YTD.tweets.part0 = [" + tweet + b"]"
            )
        archive.writestr("../../etc/tweets-evil.txt", b"ignored")
    seen: list[tuple[int, int]] = []
    posts = XArchiveConnector().parse_archive(
        buffer.getvalue(), progress=lambda d, t: seen.append((d, t))
    )
    assert [p.external_id for p in posts] == ["1", "2", "3"]
    assert seen and seen[-1][0] == seen[-1][1]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04 not really a zip", "damaged"),
        (b"PK" + b"\x00" * 100, "damaged"),
    ],
)
def test_damaged_zips_are_a_clear_error(data, message):
    for connector in (XArchiveConnector(), LinkedInExportConnector()):
        with pytest.raises(ConnectorError, match=message):
            connector.parse_archive(data)


def test_a_truncated_zip_is_a_clear_error():
    data = bomb({"Shares.csv": (b"Date,ShareLink,ShareCommentary\n", b"x", 1)})
    with pytest.raises(ConnectorError, match="damaged"):
        LinkedInExportConnector().parse_archive(data[: len(data) // 2] + data[-200:])
