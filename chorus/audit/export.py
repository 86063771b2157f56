"""The audit trail as CSV for an investigation file, with the chain proof.

Minimal CSV writer with spreadsheet-formula escaping; swap for chorus.common.csvexport once
that lands (helper h11a).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from chorus.audit.models import AuditEntry
from chorus.audit.services import VerifyResult

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER = [
    "seq",
    "created_at_utc",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object",
    "data",
    "prev_hash",
    "entry_hash",
]


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A leading quote stops Excel/LibreOffice from running "=HYPERLINK(...)" in a label.
    return "'" + text if text.startswith(FORMULA_START) else text


def audit_csv(
    *, entries: Iterable[AuditEntry], verify: VerifyResult, filters: dict[str, str]
) -> str:
    """CSV text: a proof preamble (verification result, filters), then one row per entry.

    Each row carries its own SHA-256 and the previous entry's, so a reader can check that the
    rows are consecutive links of the verified chain. Anonymous reporters' entries show only
    their day (their exact time is not disclosed to staff).
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["# Chorus audit trail export"])
    writer.writerow(["# chain verification", _cell(verify.describe())])
    for key, value in filters.items():
        if value:
            writer.writerow([f"# filter {key}", _cell(value)])
    writer.writerow(HEADER)
    for e in entries:
        when = e.created_at.date().isoformat() if e.is_anonymous else e.created_at.isoformat()
        writer.writerow(
            [
                e.seq,
                when,
                _cell(e.actor_label),
                _cell(e.action),
                e.target_type,
                e.target_id,
                _cell(e.target_label),
                _cell(json.dumps(e.data, sort_keys=True)),
                e.prev_hash,
                e.entry_hash,
            ]
        )
    return out.getvalue()
