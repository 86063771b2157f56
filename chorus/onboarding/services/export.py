"""Evidence export of acknowledgments (CSV or JSON), audited."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.csvexport import csv_bytes
from chorus.common.errors import InvalidInput
from chorus.onboarding.models import Attestation
from chorus.onboarding.services.base import _require_hr
from chorus.people.models import Organization, User

EXPORT_FIELDS = ("id", "person_name", "person_email", "policy_title", "version_number",
                 "content_hash", "text_sha256", "channel", "language", "quiz_correct",
                 "quiz_total", "attested_at", "statement")


def attestations_export(*, organization: Organization, actor: User, fmt: str,
                        attestations: Iterable[Attestation]) -> tuple[bytes, str, str]:
    """Evidence of who acknowledged what, as CSV or JSON (bytes, content type, file name).
    JSON includes the exact text shown; CSV carries its SHA-256. The export is audited."""
    _require_hr(actor, "export attestation evidence")
    if fmt not in {"csv", "json"}:
        raise InvalidInput("Choose csv or json.", field="format")
    rows = []
    for a in attestations:
        row = {f: getattr(a, f) for f in EXPORT_FIELDS}
        row["attested_at"] = a.attested_at.isoformat()
        rows.append(row | ({"text_shown": a.text_shown} if fmt == "json" else {}))
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    if fmt == "json":
        body = json.dumps({"organization": organization.name,
                           "exported_at": timezone.now().isoformat(),
                           "exported_by": actor.email, "attestations": rows},
                          indent=2, ensure_ascii=False).encode()
        content_type = "application/json"
    else:
        body = csv_bytes(([row[f] for f in EXPORT_FIELDS] for row in rows),
                         header=EXPORT_FIELDS, bom=True)
        content_type = "text/csv; charset=utf-8"
    audit_record(organization=organization, actor=actor, action="onboarding.evidence_exported",
                 data={"format": fmt, "count": len(rows)})
    return body, content_type, f"attestations-{organization.slug}-{stamp}.{fmt}"

