"""The audit trail as CSV for an investigation file, with the chain proof.

Written through `chorus.common.csvexport`, the one CSV writer, so actor names, object labels and
data that start like a spreadsheet formula are neutralized.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence

from chorus.audit.models import AuditEntry
from chorus.audit.services import VerifyResult
from chorus.common.csvexport import csv_lines

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


def _rows(
    *, entries: Iterable[AuditEntry], verify: VerifyResult, filters: dict[str, str]
) -> Iterator[Sequence[object]]:
    yield ["# Chorus audit trail export"]
    yield ["# chain verification", verify.describe()]
    for key, value in filters.items():
        if value:
            yield [f"# filter {key}", value]
    yield HEADER
    for e in entries:
        when = e.created_at.date().isoformat() if e.is_anonymous else e.created_at.isoformat()
        yield [
            e.seq,
            when,
            getattr(e, "display_actor", e.actor_label),
            e.action,
            e.target_type,
            e.target_id,
            getattr(e, "display_target", e.target_label),
            json.dumps(e.data, sort_keys=True),
            e.prev_hash,
            e.entry_hash,
        ]


def audit_csv(
    *, entries: Iterable[AuditEntry], verify: VerifyResult, filters: dict[str, str]
) -> str:
    """CSV text: a proof preamble (verification result, filters), then one row per entry.

    Each row carries its own SHA-256 and the previous entry's, so a reader can check that the
    rows are consecutive links of the verified chain. Anonymous reporters' entries show only
    their day (their exact time is not disclosed to staff).
    """
    return b"".join(csv_lines(_rows(entries=entries, verify=verify, filters=filters))).decode()
