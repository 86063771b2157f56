"""Reading an HR system's CSV export: encoding, delimiter, columns and per-row validation.

`parse_people_csv(raw, known_emails=...)` never writes anything. It returns a `ParsedImport`
with every row (normalized values) and every problem as (row, column, message), where row
numbers count the header as row 1, like a spreadsheet, so HR can find the cell.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from chorus.onboarding.models import STAGE_ORDER, Stage

MAX_ROWS = 5000

# Canonical column -> accepted header spellings (compared lower-case, without spaces/_/-).
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "fullname", "employeename", "displayname"),
    "email": ("email", "emailaddress", "workemail", "mail"),
    "department": ("department", "dept", "team"),
    "manager": ("manager", "manageremail", "reportsto", "supervisor", "supervisoremail"),
    "start_date": ("startdate", "start", "hiredate", "startingdate"),
    "status": ("status", "employmentstatus"),
    "location": ("location", "office", "site", "worklocation"),
    "title": ("title", "jobtitle", "position", "role"),
    "stage": ("stage", "onboardingstage"),
    "external_id": ("externalid", "employeeid", "id", "hrid", "employeenumber"),
}
REQUIRED = ("name", "email", "status")
COLUMN_LABELS = {
    "name": "name", "email": "email", "department": "department", "manager": "manager",
    "start_date": "start date", "status": "status", "location": "location", "title": "title",
    "stage": "stage", "external_id": "employee id",
}
STATUSES = {"candidate": "candidate", "employee": "employee", "leaver": "leaver",
            "applicant": "candidate", "active": "employee", "hired": "employee",
            "terminated": "leaver", "left": "leaver", "former": "leaver"}
STAGE_WORDS = {s.replace("_", ""): s for s in STAGE_ORDER} | {
    s.label.lower().replace("-", "").replace(" ", ""): s.value for s in Stage
}
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


class CsvFileError(ValueError):
    """The file as a whole cannot be read (encoding, not a CSV, missing columns)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ParsedRow:
    row: int
    values: dict[str, object]
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ParsedImport:
    encoding: str
    delimiter: str
    columns: list[str]
    ignored_columns: list[str]
    rows: list[ParsedRow]

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.rows for e in r.errors]

    @property
    def ok(self) -> bool:
        return not self.errors


def decode_csv(raw: bytes) -> tuple[str, str]:
    """Return (text, encoding name). UTF-8 (with or without BOM) and UTF-16 are recognised by
    their bytes; anything else that is not valid UTF-8 is read as Windows-1252, a superset of
    Latin-1 for every printable character, which is what spreadsheet exports use."""
    if raw.startswith(b"PK\x03\x04"):
        raise CsvFileError("This is an Excel or zip file, not a CSV. In your spreadsheet use "
                           "File → Save as → CSV and upload that file.")
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="strict"), "UTF-8 (with byte-order mark)"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(raw, "utf-16"), "UTF-16"
    sample = raw[:4000]
    if sample and sample.count(b"\x00") >= len(sample) // 3:
        # UTF-16 without a byte-order mark: ASCII letters leave a zero byte beside them.
        little = sample[1::2].count(b"\x00") > sample[0::2].count(b"\x00")
        codec = "utf-16-le" if little else "utf-16-be"
        return _decode(raw, codec), "UTF-16 (" + ("little" if little else "big") + "-endian)"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252 (Latin-1)"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "ISO-8859-1 (Latin-1)"


def _decode(raw: bytes, codec: str) -> str:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise CsvFileError(f"The file looks like {codec.upper()} but byte {exc.start} is not "
                           "valid. Export it again as UTF-8 CSV.") from None


def _key(header: str) -> str:
    return re.sub(r"[\s_\-\.]+", "", header.strip().lower())


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


DATE_ORDERS = {"dmy": "day/month/year", "mdy": "month/day/year"}


def _date(year: int, month: int, day: int, value: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"“{value}” is not a real date. Write it as YYYY-MM-DD, "
                         "e.g. 2026-03-01.") from None


def parse_date(value: str, *, slash_order: str = "") -> datetime.date:
    """ISO (2026-03-01), 2026/03/01, 01.03.2026, 1 Mar 2026, Dec 1 2026 / December 1, 2026,
    and slash dates when they can only mean one thing: 14/12/2026 (no 14th month) is
    14 December. A slash date that could be either (03/04/2026) follows the organization's
    `slash_order` ("dmy" or "mdy"); without one it is refused with a clear message."""
    value = value.strip()
    m = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", value)
    if m:
        return _date(int(m[1]), int(m[2]), int(m[3]), value)
    m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value)
    if m:
        return _date(int(m[3]), int(m[2]), int(m[1]), value)
    m = re.fullmatch(r"(\d{1,2})[ -]([A-Za-z]{3})[A-Za-z]*\.?[ -,]*(\d{4})", value)
    if m and m[2].lower() in MONTHS:
        return _date(int(m[3]), MONTHS[m[2].lower()], int(m[1]), value)
    m = re.fullmatch(r"([A-Za-z]{3})[A-Za-z]*\.?[ -](\d{1,2})(?:st|nd|rd|th)?,?[ -](\d{4})", value)
    if m and m[1].lower() in MONTHS:
        return _date(int(m[3]), MONTHS[m[1].lower()], int(m[2]), value)
    m = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})", value)
    if m:
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        if a > 12 >= b:
            return _date(year, b, a, value)  # 14/12/2026: only day/month makes sense
        if b > 12 >= a:
            return _date(year, a, b, value)  # 12/14/2026: only month/day makes sense
        if slash_order == "dmy":
            return _date(year, b, a, value)
        if slash_order == "mdy":
            return _date(year, a, b, value)
        raise ValueError(f"“{value}” is ambiguous (day/month or month/day?). Write it as "
                         "YYYY-MM-DD, e.g. 2026-03-01, or set how your HR system writes "
                         "dates under Onboarding settings (“Dates like 03/04/2026 mean”).")
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2}", value):
        raise ValueError(f"“{value}” has a two-digit year. Write it as YYYY-MM-DD, "
                         "e.g. 2026-03-01.")
    raise ValueError(f"“{value}” is not a date. Write it as YYYY-MM-DD, e.g. 2026-03-01.")


EMPTY_MESSAGE = (
    "The file is empty: it has no names or e-mail addresses, only blank cells. "
    "Export the people list with a header row and one row per person."
)
_BLANK_BYTES = b" \t\r\n\x0b\x0c,;|\"'\x00\xef\xbb\xbf\xff\xfe"


def csv_is_blank(raw: bytes) -> bool:
    """True when the file holds nothing but whitespace, separators, quotes and byte-order
    marks (an empty sheet exported as CSV), in any of the encodings we read."""
    return not raw.translate(None, _BLANK_BYTES)


def parse_people_csv(raw: bytes, *, known_emails: set[str],
                     date_order: str = "") -> ParsedImport:
    """Parse and validate an HR export. `known_emails` (lower-case) are the people already on
    the list, so a manager may be someone not in this file. `date_order` ("dmy", "mdy" or "")
    settles slash dates like 03/04/2026 (the organization's setting). Raises CsvFileError when the
    file as a whole is unreadable; row problems are collected, never raised."""
    if not raw.strip():
        raise CsvFileError(EMPTY_MESSAGE)
    text, encoding = decode_csv(raw)
    text = text.replace("\x00", "")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise CsvFileError(EMPTY_MESSAGE)
    delimiter = _sniff_delimiter(lines[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        table = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise CsvFileError(f"The CSV is malformed near line {reader.line_num}: {exc}. "
                           "Check for an unclosed quotation mark.") from None
    table = [(n, row) for n, row in table if any(cell.strip() for cell in row)]
    if not table:
        # Rows of bare separators (",,,,": an empty sheet saved as CSV) are not blank lines.
        raise CsvFileError(EMPTY_MESSAGE)
    header = table[0][1]
    columns: list[str | None] = []
    ignored: list[str] = []
    seen: set[str] = set()
    for cell in header:
        k = _key(cell)
        canonical = next((c for c, names in COLUMNS.items() if k in names), None)
        if canonical is None or canonical in seen:
            columns.append(None)
            if cell.strip():
                ignored.append(cell.strip())
        else:
            columns.append(canonical)
            seen.add(canonical)
    missing = [COLUMN_LABELS[c] for c in REQUIRED if c not in seen]
    if missing:
        expected = ", ".join(COLUMN_LABELS[c] for c in COLUMNS if c not in {"title", "stage",
                                                                           "external_id"})
        raise CsvFileError(
            f"Missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
            f"The first row must name the columns, e.g. {expected} "
            f"(found: {', '.join(h.strip() for h in header if h.strip()) or 'nothing'})."
        )
    body = table[1:]
    if len(body) > MAX_ROWS:
        raise CsvFileError(f"The file has {len(body)} people; the limit is {MAX_ROWS} per "
                           "import. Split it into smaller files.")

    rows = [_parse_row(line_no, cells, columns, date_order) for line_no, cells in body]
    _check_across_rows(rows, known_emails)
    return ParsedImport(
        encoding=encoding, delimiter=DELIMITERS[delimiter],
        columns=[c for c in columns if c], ignored_columns=ignored, rows=rows,
    )


def _parse_row(line_no: int, cells: list[str], columns: list[str | None],
               date_order: str = "") -> ParsedRow:
    raw = {col: cells[i].strip() if i < len(cells) else ""
           for i, col in enumerate(columns) if col}
    row = ParsedRow(row=line_no, values={})

    def err(column: str, message: str) -> None:
        row.errors.append(RowError(line_no, COLUMN_LABELS[column], message))

    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
        row.errors.append(RowError(line_no, "(row)", f"has {len(cells)} cells but the header "
                                   f"names {len(columns)} columns; check for a stray delimiter."))
    name = " ".join(raw.get("name", "").split())
    if not name:
        err("name", "is empty; every person needs a name.")
    elif len(name) > 200:
        err("name", "is longer than 200 characters.")
    row.values["name"] = name

    email = raw.get("email", "").lower()
    try:
        validate_email(email)
    except ValidationError:
        err("email", f"“{email}” is not an e-mail address." if email
            else "is empty; the e-mail address identifies the person on re-import.")
    row.values["email"] = email

    status_raw = raw.get("status", "").lower()
    status = STATUSES.get(status_raw)
    if status is None:
        err("status", (f"“{raw.get('status')}” is not a status; " if status_raw else "is empty; ")
            + "use candidate, employee or leaver.")
    row.values["status"] = status

    for column, limit in (("department", 120), ("location", 120), ("title", 200),
                          ("external_id", 120)):
        if column in raw:
            value = " ".join(raw[column].split())
            if len(value) > limit:
                err(column, f"is longer than {limit} characters.")
            row.values[column] = value

    if "manager" in raw:
        manager = raw["manager"].lower()
        if manager:
            try:
                validate_email(manager)
            except ValidationError:
                err("manager", f"“{raw['manager']}” is not an e-mail address; name the "
                    "manager by their e-mail.")
        row.values["manager"] = manager

    if "start_date" in raw:
        value = raw["start_date"]
        row.values["start_date"] = None
        if value:
            try:
                row.values["start_date"] = parse_date(value, slash_order=date_order)
            except ValueError as exc:
                err("start_date", str(exc) if "day is out of range" not in str(exc)
                    and "month must be" not in str(exc)
                    else f"“{value}” is not a real date.")

    if "stage" in raw:
        value = raw["stage"]
        stage = STAGE_WORDS.get(_key(value).replace("-", "")) if value else ""
        if stage is None:
            err("stage", f"“{value}” is not a stage; use one of "
                + ", ".join(s.label.lower() for s in Stage) + ".")
        row.values["stage"] = stage or ""
    return row


def _check_across_rows(rows: list[ParsedRow], known_emails: set[str]) -> None:
    first_seen: dict[str, int] = {}
    in_file = {str(r.values["email"]) for r in rows if r.values.get("email")}
    for row in rows:
        email = str(row.values.get("email") or "")
        if email:
            if email in first_seen:
                row.errors.append(RowError(row.row, "email", f"{email} is also on row "
                                  f"{first_seen[email]}; list each person once."))
            else:
                first_seen[email] = row.row
        manager = str(row.values.get("manager") or "")
        if manager and manager == email:
            row.errors.append(RowError(row.row, "manager", "names the person as their own "
                                       "manager."))
        elif manager and manager not in in_file and manager not in known_emails:
            row.errors.append(RowError(
                row.row, "manager", f"{manager} is neither in this file nor on the people "
                "list. Add the manager as a row or fix the e-mail."))
