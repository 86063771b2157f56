"""Incident pages. The package splits them by topic; `urls.py` imports from
`chorus.incidents.views` (every view is re-exported here).

- `cases`: the list, opening an incident by hand, the employee's own page;
- `detail`: the incident page and one POST endpoint per step;
- `evidence`: an evidence item and its file (audited);
- `matrix`: the response matrix (published grid, try a case, edit the draft);
- `consistency`: the consistency report and its CSV export.
"""

from __future__ import annotations

from chorus.incidents.views.cases import (
    incident_create,
    incident_list,
    incident_respond,
    my_cases,
)
from chorus.incidents.views.consistency import consistency, consistency_csv
from chorus.incidents.views.detail import ACTIONS, incident_action, incident_detail
from chorus.incidents.views.evidence import evidence_detail, evidence_file
from chorus.incidents.views.fairness import (
    appeal_page,
    appeal_review,
    informal_list,
    informal_new,
)
from chorus.incidents.views.matrix import matrix_edit, matrix_page, matrix_try

__all__ = [
    "ACTIONS",
    "appeal_page",
    "appeal_review",
    "consistency",
    "consistency_csv",
    "evidence_detail",
    "evidence_file",
    "incident_action",
    "incident_create",
    "incident_detail",
    "incident_list",
    "incident_respond",
    "informal_list",
    "informal_new",
    "matrix_edit",
    "matrix_page",
    "matrix_try",
    "my_cases",
]
