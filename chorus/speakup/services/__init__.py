"""Every write of the speak-up channel.

Guarantees:
- the report key is shown once and only its SHA-256 is kept; the reporter's writes are audited
  as "anonymous reporter", never as a user;
- both legal clocks are fixed when a concern arrives and stop only through
  `concern_acknowledge` and `concern_give_feedback`; reminders and escalations happen once;
- people named in a concern, and handlers who declared a conflict, never see or handle it;
- a sealed identity is disclosed only after a named custodian approves a justified request;
  every disclosure and every view of it is audited, and the reporter is told;
- redactions and erasures are permanent and leave a record of where, why and when, without
  the content; files are stripped of metadata before anyone sees them.
"""

from __future__ import annotations

from chorus.speakup.services.base import (
    ANONYMOUS,
    can_handle,
    channel_settings,
    handlers_of,
    is_custodian,
    is_handler,
    key_hash,
)
from chorus.speakup.services.clocks import (
    Clock,
    channel_settings_save,
    clock_register,
    clock_rule_save,
    concern_clocks,
    concern_clocks_run,
)
from chorus.speakup.services.handling import (
    concern_acknowledge,
    concern_close,
    concern_declare_conflict,
    concern_exclude_person,
    concern_give_feedback,
    concern_message_reporter,
    concern_message_staff,
    concern_open_incident,
    concern_set_contact,
    identity_decide,
    identity_request,
    identity_view_record,
    identity_visible_to,
    redact,
)
from chorus.speakup.services.intake import (
    clean_answers,
    concern_submit,
    ensure_default_form,
    intake_form_save,
    validate_questions,
    visible_questions,
)
from chorus.speakup.services.retention import (
    concern_purge_expired,
    retention_days_for,
    retention_rule_save,
)

__all__ = [
    "ANONYMOUS",
    "Clock",
    "can_handle",
    "channel_settings",
    "channel_settings_save",
    "clean_answers",
    "clock_register",
    "clock_rule_save",
    "concern_acknowledge",
    "concern_clocks",
    "concern_clocks_run",
    "concern_close",
    "concern_declare_conflict",
    "concern_exclude_person",
    "concern_give_feedback",
    "concern_message_reporter",
    "concern_message_staff",
    "concern_open_incident",
    "concern_purge_expired",
    "concern_set_contact",
    "concern_submit",
    "ensure_default_form",
    "handlers_of",
    "identity_decide",
    "identity_request",
    "identity_view_record",
    "identity_visible_to",
    "intake_form_save",
    "is_custodian",
    "is_handler",
    "key_hash",
    "redact",
    "retention_days_for",
    "retention_rule_save",
    "validate_questions",
    "visible_questions",
]
