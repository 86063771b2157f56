"""Writes for people (edit, import), onboarding stages, campaigns, attestations, reminders
and retention. Every write that matters is audited inside its own transaction.

The package splits these by topic; import from `chorus.onboarding.services` (every public
name is re-exported here).
"""

from __future__ import annotations

from chorus.onboarding.services.attestation import (
    LINK_SALT,
    LinkProblem,
    QuizNotPassed,
    assignment_mark_read,
    attestation_create,
    attestation_link_create,
    attestation_link_resolve,
    attestation_url,
    knowledge_check_add_question,
    knowledge_check_grade,
    knowledge_check_remove_question,
    knowledge_check_update,
)
from chorus.onboarding.services.campaigns import (
    CampaignStart,
    campaign_close,
    campaign_create,
    campaign_start,
    new_hire_assign,
    on_policy_version_published,
)
from chorus.onboarding.services.export import (
    EXPORT_FIELDS,
    attestations_export,
)
from chorus.onboarding.services.people import (
    PERSON_FIELDS,
    candidate_mark_not_hired,
    person_add,
    person_set_stage,
    person_sync_from_directory,
    person_update,
)
from chorus.onboarding.services.people_import import (
    ImportPreview,
    ImportResult,
    people_import_apply,
    people_import_preview,
    people_import_upload,
)
from chorus.onboarding.services.reminders import (
    ReminderRun,
    RemindPreview,
    assignment_invite,
    assignment_nudge,
    campaign_remind_pending,
    campaign_remind_preview,
    reminders_send,
)
from chorus.onboarding.services.retention import (
    candidates_purge_expired,
)
from chorus.onboarding.services.texts import (
    acknowledgment_statement,
    introduce_stage_for,
    job_ad_notice,
    offer_clause,
    onboarding_settings_for,
    onboarding_settings_update,
    policy_preset,
)

__all__ = [
    "EXPORT_FIELDS",
    "LINK_SALT",
    "PERSON_FIELDS",
    "CampaignStart",
    "ImportPreview",
    "ImportResult",
    "LinkProblem",
    "QuizNotPassed",
    "RemindPreview",
    "ReminderRun",
    "acknowledgment_statement",
    "assignment_invite",
    "assignment_mark_read",
    "assignment_nudge",
    "attestation_create",
    "attestation_link_create",
    "attestation_link_resolve",
    "attestation_url",
    "attestations_export",
    "campaign_close",
    "campaign_create",
    "campaign_remind_pending",
    "campaign_remind_preview",
    "campaign_start",
    "candidate_mark_not_hired",
    "candidates_purge_expired",
    "introduce_stage_for",
    "job_ad_notice",
    "knowledge_check_add_question",
    "knowledge_check_grade",
    "knowledge_check_remove_question",
    "knowledge_check_update",
    "new_hire_assign",
    "offer_clause",
    "on_policy_version_published",
    "onboarding_settings_for",
    "onboarding_settings_update",
    "people_import_apply",
    "people_import_preview",
    "people_import_upload",
    "person_add",
    "person_set_stage",
    "person_sync_from_directory",
    "person_update",
    "policy_preset",
    "reminders_send",
]
