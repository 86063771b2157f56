"""Onboarding pages. The package splits them by topic; `urls.py` and `public_urls.py` import
from `chorus.onboarding.views` (every view is re-exported here).

- `campaigns`: the completion dashboard, campaigns, reminders and personal links;
- `people`: the people list, a person's record, adding, editing and the HR import;
- `configuration`: onboarding settings and stages, knowledge checks;
- `attesting`: an employee's own status and attesting, in session or by personal link;
- `evidence`: the attestation evidence register and its export.
"""

from __future__ import annotations

from chorus.onboarding.views.attesting import (
    LINK_PROBLEMS,
    attest,
    attest_read,
    me,
    public_attest,
    public_attest_read,
)
from chorus.onboarding.views.campaigns import (
    assignment_link,
    assignment_nudge,
    campaign_detail,
    campaign_new,
    campaign_remind,
    dashboard,
)
from chorus.onboarding.views.configuration import quiz, stages
from chorus.onboarding.views.evidence import evidence
from chorus.onboarding.views.people import (
    people,
    people_import,
    people_import_preview,
    people_import_template,
    person_detail,
    person_edit,
    person_new,
    person_not_hired,
)

__all__ = [
    "LINK_PROBLEMS",
    "assignment_link",
    "assignment_nudge",
    "attest",
    "attest_read",
    "campaign_detail",
    "campaign_new",
    "campaign_remind",
    "dashboard",
    "evidence",
    "me",
    "people",
    "people_import",
    "people_import_preview",
    "people_import_template",
    "person_detail",
    "person_edit",
    "person_new",
    "person_not_hired",
    "public_attest",
    "public_attest_read",
    "quiz",
    "stages",
]
