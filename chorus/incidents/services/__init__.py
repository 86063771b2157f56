"""Every write for incidents and the response matrix.

Guarantees kept here, in one place:
- a decision is recorded only by a person with the HR role, only after every gate passed, and a
  decision that differs from the matrix suggestion always carries a written justification;
- nothing disciplinary happens automatically: opening, screening and assessing only *suggest*;
- containment (take-down request, pausing advocacy) is separate from discipline;
- evidence is hashed when stored and never edited; the purge keeps the hash;
- each change writes an `IncidentEvent` (timeline) and an audit entry in the same transaction.

The package splits these by topic; import from `chorus.incidents.services` (every public
name is re-exported here).
"""

from __future__ import annotations

from chorus.incidents.services.base import (
    CHECKLIST_ANSWERS,
    PROTECTED_CHECKLIST,
)
from chorus.incidents.services.containment import (
    incident_contain,
    incident_share,
    incident_unshare,
)
from chorus.incidents.services.decision import (
    incident_close,
    incident_decide,
    incident_decision_check,
    incident_gates,
    missing_gates,
)
from chorus.incidents.services.evidence import (
    evidence_add,
    evidence_record_view,
)
from chorus.incidents.services.fairness import (
    appeal_assign,
    appeal_can_file,
    appeal_deadline,
    appeal_decide,
    appeal_file,
    informal_action_give,
    informal_actions_active,
    took_part,
)
from chorus.incidents.services.gates import (
    Gate,
    incident_assess,
    incident_establish_facts,
    incident_notify,
    incident_record_response,
    incident_record_screen,
    incident_review,
    incident_run_screen,
    screen_clearly_negative,
)
from chorus.incidents.services.matrix import (
    matrix_current,
    matrix_draft_get_or_create,
    matrix_draft_save,
    matrix_install_preset,
    matrix_publish,
)
from chorus.incidents.services.opening import (
    incident_open_from_monitoring,
    incident_open_from_report,
    incident_open_from_speakup,
    incident_open_manual,
)
from chorus.incidents.services.retention import (
    evidence_purge_expired,
    incident_set_legal_hold,
)

__all__ = [
    "CHECKLIST_ANSWERS",
    "PROTECTED_CHECKLIST",
    "Gate",
    "appeal_assign",
    "appeal_can_file",
    "appeal_deadline",
    "appeal_decide",
    "appeal_file",
    "evidence_add",
    "evidence_purge_expired",
    "evidence_record_view",
    "incident_assess",
    "incident_close",
    "incident_contain",
    "incident_decide",
    "incident_decision_check",
    "incident_establish_facts",
    "incident_gates",
    "incident_notify",
    "incident_open_from_monitoring",
    "incident_open_from_report",
    "incident_open_from_speakup",
    "incident_open_manual",
    "incident_record_response",
    "incident_record_screen",
    "incident_review",
    "incident_run_screen",
    "incident_set_legal_hold",
    "incident_share",
    "incident_unshare",
    "informal_action_give",
    "informal_actions_active",
    "matrix_current",
    "matrix_draft_get_or_create",
    "matrix_draft_save",
    "matrix_install_preset",
    "matrix_publish",
    "missing_gates",
    "screen_clearly_negative",
    "took_part",
]
