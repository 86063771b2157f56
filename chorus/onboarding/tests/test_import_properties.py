"""Property: any bytes given as a people CSV give a parsed import or a CsvFileError, never
another exception, quickly (hypothesis deadline). No database needed."""

from __future__ import annotations

import codecs

from hypothesis import given, settings
from hypothesis import strategies as st

from chorus.onboarding.importing import CsvFileError, ParsedImport, parse_people_csv

# CSV structure over-represented: separators, quotes, line ends, the real column names,
# values that trip the row validators.
_PIECES = st.sampled_from(
    [",", ";", "\t", "|", '"', '""', "\n", "\r\n", "\r", " ", "name", "email", "department",
     "manager", "start date", "status", "location", "title", "employee id", "stage",
     "candidate", "employee", "leaver", "a@b.example", "A@B.EXAMPLE", "2026-02-30",
     "05/01/2026", "1 Mar 2026", "=1+1", "\x00", "\ufeff", "Zoë", "x" * 40]
)  # fmt: skip
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=80).map("".join)
_ENCODED = st.tuples(_TEXT, st.sampled_from(["utf-8", "utf-16", "utf-16-le", "cp1252"])).map(
    lambda pair: pair[0].encode(pair[1], errors="replace")
)
FILES = st.one_of(
    st.binary(max_size=300),
    _ENCODED,
    _TEXT.map(lambda t: codecs.BOM_UTF8 + t.encode("utf-8", errors="replace")),
)


@settings(max_examples=400, deadline=2000)
@given(raw=FILES)
def test_any_file_gives_a_parsed_import_or_a_csv_file_error(raw):
    try:
        parsed = parse_people_csv(raw, known_emails={"a@b.example"})
    except CsvFileError as err:
        assert str(err)
    else:
        assert isinstance(parsed, ParsedImport)
        assert all(r.row >= 2 for r in parsed.rows)
