"""Writes for monitoring: settings, consent and links, ingestion, alerts, retention.

Guarantees, relied on by the pages, the API, the poller and `chorus stream`:

- An account is read only while its consent stands, and only posts published at or after
  `read_from` (the consent time, or the start date chosen for uploads) are ever stored.
- A post is stored once per (network, external id); the account cursor moves in the same
  transaction as the posts it covers, so a crash at any point loses and duplicates nothing.
- Every new or edited post is screened with the organization's policy. A finding at or above
  the threshold creates one alert per post, told to the employee first; only a critical or a
  repeated finding reaches the report queue. Protected activity never creates an alert.
- Revoking stops reading at once; the account's posts are deleted after the retention period
  by `monitoring_purge` (run on a schedule).

The package splits these by topic; import from `chorus.monitoring.services` (every public
name is re-exported here).
"""

from __future__ import annotations

from chorus.monitoring.services.accounts import (
    account_link,
    account_revoke,
    account_verify,
    account_verify_request,
    account_verify_run,
    accounts_end_for_leaver,
    connector_for,
    consent_text_for,
)
from chorus.monitoring.services.alerts import (
    alert_acknowledge,
)
from chorus.monitoring.services.base import (
    MAX_ARCHIVE_BYTES,
    RANK,
    REPORT_CATEGORY,
    REPORT_NETWORK,
    IngestResult,
    MonitoringError,
)
from chorus.monitoring.services.configuration import (
    readiness_problems,
    settings_get,
    settings_update,
)
from chorus.monitoring.services.ingestion import (
    PollOutcome,
    account_mark_attention,
    account_poll,
    apply_remote_delete,
    apply_remote_post,
    archive_import,
    archive_import_run,
    archive_import_upload,
    ingest_posts,
    store_new_posts,
)
from chorus.monitoring.services.retention import (
    PurgeResult,
    monitoring_purge,
)

__all__ = [
    "MAX_ARCHIVE_BYTES",
    "RANK",
    "REPORT_CATEGORY",
    "REPORT_NETWORK",
    "IngestResult",
    "MonitoringError",
    "PollOutcome",
    "PurgeResult",
    "account_link",
    "account_mark_attention",
    "account_poll",
    "account_revoke",
    "account_verify",
    "account_verify_request",
    "account_verify_run",
    "accounts_end_for_leaver",
    "alert_acknowledge",
    "apply_remote_delete",
    "apply_remote_post",
    "archive_import",
    "archive_import_run",
    "archive_import_upload",
    "connector_for",
    "consent_text_for",
    "ingest_posts",
    "monitoring_purge",
    "readiness_problems",
    "settings_get",
    "settings_update",
    "store_new_posts",
]
