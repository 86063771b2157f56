"""The LinkedIn data export the person downloads and uploads: ``Shares.csv`` (newer exports:
``Shares_<n>.csv``), or the whole export ``.zip``.

Header ``Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility``; multi-line commentary
with ``""`` escaping; a BOM and extra columns are tolerated. Plain reposts (empty commentary)
carry no words of the person and are skipped.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from chorus.connectors.archives import Progress, is_zip, read_members
from chorus.connectors.base import ConnectorError, RemotePost

REQUIRED = ("Date", "ShareLink", "ShareCommentary")


def _csv_from_zip(data: bytes, progress: Progress | None) -> bytes:
    for _name, content in read_members(
        data, select=lambda n: n.rsplit("/", 1)[-1].startswith("Shares") and n.endswith(".csv"),
        what="Shares.csv", missing="This .zip has no Shares.csv; is it a LinkedIn data export?",
        first_only=True, progress=progress,
    ):  # fmt: skip
        return content
    raise AssertionError("read_members yields at least one member")  # pragma: no cover


class LinkedInExportConnector:
    kind = "linkedin_export"

    def __init__(self, **_: Any) -> None:
        pass

    def parse_archive(
        self, data: bytes, *, filename: str = "", progress: Progress | None = None
    ) -> list[RemotePost]:
        if is_zip(data):
            data = _csv_from_zip(data, progress)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ConnectorError("Shares.csv is not UTF-8 text; upload the file as downloaded.",
                                 permanent=True) from None
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise ConnectorError(
                f"Shares.csv is missing the column(s) {', '.join(missing)}; the first line "
                "should be Date,ShareLink,ShareCommentary,... "
                f"(found: {', '.join(header) or 'nothing'}).",
                permanent=True,
            )
        posts = []
        try:
            for row in reader:
                row = {(k or "").strip(): (v or "") for k, v in row.items()}
                commentary = row["ShareCommentary"].strip()
                if not commentary:
                    continue
                line = reader.line_num
                try:
                    when = datetime.strptime(row["Date"].strip(), "%Y-%m-%d %H:%M:%S")
                except ValueError:
                    raise ConnectorError(
                        f"Shares.csv line {line}: the date {row['Date']!r} should look like "
                        "2026-05-25 14:23:28.", permanent=True,
                    ) from None
                link = row["ShareLink"].strip()
                if not link:
                    raise ConnectorError(f"Shares.csv line {line}: ShareLink is empty.",
                                         permanent=True)
                shared = row.get("SharedUrl", "").strip()
                text_value = f"{commentary}\n\n{shared}" if shared else commentary
                posts.append(RemotePost(
                    external_id=unquote(link).rsplit("/", 1)[-1] or link, text=text_value,
                    published_at=when.replace(tzinfo=UTC), url=link,
                ))
        except csv.Error as exc:
            raise ConnectorError(f"Shares.csv is not valid CSV (line {reader.line_num}: {exc}).",
                                 permanent=True) from None
        posts.sort(key=lambda p: (p.published_at, p.external_id))
        return posts
