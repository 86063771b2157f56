"""Evidence export of acknowledgments (CSV or JSON), audited."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.csvexport import csv_lines
from chorus.common.errors import InvalidInput
from chorus.onboarding.models import Attestation
from chorus.onboarding.services.base import _require_hr
from chorus.people.models import Organization, User

EXPORT_FIELDS = ("id", "person_name", "person_email", "policy_title", "version_number",
                 "content_hash", "text_sha256", "channel", "language", "quiz_correct",
                 "quiz_total", "attested_at", "statement")


def attestations_export(*, organization: Organization, actor: User, fmt: str,
                        attestations: QuerySet[Attestation]
                        ) -> tuple[Iterator[bytes], str, str]:
    """Evidence of who acknowledged what, as CSV or JSON (chunks of the body, content type,
    file name). JSON includes the exact text shown; CSV carries its SHA-256. The export is
    audited (with the count, taken before the first byte is sent).

    The body is a generator reading the attestations in chunks of 500, so an export of
    40,000 acknowledgments with the full policy text each streams in constant memory; the
    JSON is byte for byte what `json.dumps(..., indent=2)` of the whole document gives."""
    _require_hr(actor, "export attestation evidence")
    if fmt not in {"csv", "json"}:
        raise InvalidInput("Choose csv or json.", field="format")
    count = attestations.count()
    if fmt == "csv":
        attestations = attestations.defer("text_shown")
    rows = attestations.iterator(chunk_size=500)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    audit_record(organization=organization, actor=actor, action="onboarding.evidence_exported",
                 data={"format": fmt, "count": count})
    if fmt == "json":
        head = {"organization": organization.name, "exported_at": timezone.now().isoformat(),
                "exported_by": actor.email}
        body = _json_chunks(head, rows)
        content_type = "application/json"
    else:
        body = csv_lines(([_row(a)[f] for f in EXPORT_FIELDS] for a in rows),
                         header=EXPORT_FIELDS, bom=True)
        content_type = "text/csv; charset=utf-8"
    return body, content_type, f"attestations-{organization.slug}-{stamp}.{fmt}"


def _row(a: Attestation) -> dict[str, Any]:
    row = {f: getattr(a, f) for f in EXPORT_FIELDS}
    row["attested_at"] = a.attested_at.isoformat()
    return row


def _json_chunks(head: dict[str, Any], rows: Iterator[Attestation]) -> Iterator[bytes]:
    """`json.dumps(head | {"attestations": [...]}, indent=2)` one attestation at a time."""
    opening = json.dumps(head, indent=2, ensure_ascii=False)[:-2]  # without "\n}"
    yield (opening + ',\n  "attestations": [').encode()
    first = True
    for a in rows:
        item = json.dumps(_row(a) | {"text_shown": a.text_shown}, indent=2, ensure_ascii=False)
        yield (("\n" if first else ",\n") + textwrap.indent(item, "    ")).encode()
        first = False
    yield ("]\n}" if first else "\n  ]\n}").encode()
