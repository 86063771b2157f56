"""The one CSV writer for every export.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by
Excel, LibreOffice and Google Sheets (CSV injection: `=HYPERLINK(...)` in a department name
becomes a live link in HR's spreadsheet). Every cell written here that starts with one of them
is prefixed with a single quote, which spreadsheets show as text. Numbers, dates and booleans are
written as they are.

`csv_lines(rows)` yields one encoded line at a time, so an export can stream
(`StreamingHttpResponse(csv_lines(...))`) as well as be joined (`csv_response`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def csv_safe(value: Any) -> Any:
    """The value as a spreadsheet must see it: text starting like a formula gets a leading
    single quote; everything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Line:
    """A file-like object whose write() returns what it was given: csv.writer then hands each
    formatted line back instead of buffering the whole file."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    rows: Iterable[Sequence[Any]], *, header: Sequence[str] | None = None, bom: bool = False
) -> Iterator[bytes]:
    """Yield the CSV file line by line as UTF-8 bytes: the optional BOM (so spreadsheets read
    UTF-8), the header, then every row with each cell passed through `csv_safe`."""
    writer = csv.writer(_Line())
    if bom:
        yield "\ufeff".encode()
    if header is not None:
        yield writer.writerow([csv_safe(h) for h in header]).encode()
    for row in rows:
        yield writer.writerow([csv_safe(cell) for cell in row]).encode()


def csv_bytes(
    rows: Iterable[Sequence[Any]], *, header: Sequence[str] | None = None, bom: bool = False
) -> bytes:
    """The whole CSV file (see `csv_lines`)."""
    return b"".join(csv_lines(rows, header=header, bom=bom))


def csv_response(
    rows: Iterable[Sequence[Any]],
    *,
    filename: str,
    header: Sequence[str] | None = None,
    bom: bool = False,
) -> HttpResponse:
    """An attachment download of the CSV file (see `csv_lines`)."""
    response = HttpResponse(csv_bytes(rows, header=header, bom=bom), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_stream(
    rows: Iterable[Sequence[Any]],
    *,
    filename: str,
    header: Sequence[str] | None = None,
    bom: bool = False,
) -> StreamingHttpResponse:
    """An attachment download of the CSV file sent line by line as `rows` yields them (see
    `csv_lines`): constant memory for exports of any size, the same escaping."""
    response = StreamingHttpResponse(csv_lines(rows, header=header, bom=bom),
                                     content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
