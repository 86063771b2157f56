"""Writes for reports: submitting (and merging), routing, triage, escalation, follow-up.

Guarantees:
- Reports of one post (same normalized URL, same organization) join one open case.
- An anonymous submission stores no reporter identity: no user id in the submission, its
  events or the audit trail; the reporter's key is shown once and only its SHA-256 is kept.
- Every status change, escalation, question, legal review and evidence view leaves an event
  row and/or an audit entry inside the same transaction.
- A report that may be protected activity (or could not be screened) cannot open an incident
  (discipline) before a legal-role user records a legal review.

The package splits these by topic; import from `chorus.reports.services` (every public name
is re-exported here).
"""

from __future__ import annotations

from chorus.reports.services.base import (
    ANONYMOUS,
    KEY_ALPHABET,
    MAX_DESCRIPTION,
    MAX_SCREENSHOTS,
    ReportError,
    SubmitResult,
)
from chorus.reports.services.routing import (
    can_configure,
    routing_rule_save,
)
from chorus.reports.services.sla import (
    report_escalate_overdue,
)
from chorus.reports.services.submitting import (
    report_create_from_monitoring,
    report_submit,
    screen_for_protected_activity,
)
from chorus.reports.services.triage import (
    evidence_open,
    incidents_available,
    report_ask,
    report_notify_outcome,
    report_open_incident,
    report_record_legal_review,
    report_request_advocacy,
    report_transition,
    submission_answer,
    submission_set_contact,
)

__all__ = [
    "ANONYMOUS",
    "KEY_ALPHABET",
    "MAX_DESCRIPTION",
    "MAX_SCREENSHOTS",
    "ReportError",
    "SubmitResult",
    "can_configure",
    "evidence_open",
    "incidents_available",
    "report_ask",
    "report_create_from_monitoring",
    "report_escalate_overdue",
    "report_notify_outcome",
    "report_open_incident",
    "report_record_legal_review",
    "report_request_advocacy",
    "report_submit",
    "report_transition",
    "routing_rule_save",
    "screen_for_protected_activity",
    "submission_answer",
    "submission_set_contact",
]
