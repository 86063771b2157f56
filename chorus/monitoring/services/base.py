"""What every monitoring write shares: severities, report mappings and the domain error."""

from __future__ import annotations

from dataclasses import dataclass, field

from chorus.common.errors import InvalidInput
from chorus.monitoring.models import SEVERITIES

RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


# Screening categories -> the report queue's categories (what HR triages).
REPORT_CATEGORY = {
    "harassment": "harassment", "secret": "security", "confidential": "leak", "mnpi": "leak",
    "pii": "leak", "spokesperson": "impersonation",
}


REPORT_NETWORK = {"x_archive": "x", "linkedin_export": "linkedin", "rss": "web"}
MAX_ARCHIVE_BYTES = 50 * 1024 * 1024


class MonitoringError(InvalidInput):
    """A monitoring rule refused the input; the message says what to do."""


@dataclass
class IngestResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_before_consent: int = 0
    skipped_reposts: int = 0
    alerts: list[int] = field(default_factory=list)
