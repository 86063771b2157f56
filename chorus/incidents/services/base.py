"""What every incident write shares: role checks, the timeline event, the audit entry and
status changes."""

from __future__ import annotations

import hashlib
from typing import Any

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, PermissionDenied
from chorus.incidents.models import ALLOWED_TRANSITIONS, Incident, IncidentEvent
from chorus.people.models import User
from chorus.people.roles import Role

#: The reviewer's protected-activity checklist (research c.1.3). Each is answered yes/no/unsure;
#: anything but "no" everywhere routes the case to legal.
PROTECTED_CHECKLIST: dict[str, str] = {
    "working_conditions": "Is it about pay, hours, working conditions, safety or how staff are "
                          "treated, and involving or addressed to co-workers?",
    "union": "Is it about a union or employees acting together?",
    "whistleblowing": "Is it a report to an agency, court or attorney, or whistleblowing?",
    "off_duty": "Is it political or lawful off-duty activity in a state that protects it?",
    "harassment_complaint": "Is it a harassment complaint by the person harassed?",
    "religious": "Is it religious expression?",
}


CHECKLIST_ANSWERS = ("no", "yes", "unsure")


def _require_role(user: User, *roles: str, doing: str) -> None:
    if not any(user.has_role(r) for r in roles):
        names = " or ".join(Role(r).label for r in roles)
        raise PermissionDenied(f"Only {names} can {doing}.")


def _event(incident: Incident, actor: User | None, kind: str, summary: str, note: str = "",
           from_status: str = "", to_status: str = "") -> IncidentEvent:
    return IncidentEvent.objects.create(
        incident=incident, actor=actor, kind=kind, summary=summary[:300], note=note,
        from_status=from_status, to_status=to_status,
    )


def _audit(incident: Incident, actor: User | None, action: str, **data: Any) -> None:
    audit_record(organization=incident.organization, actor=actor, action=action,
                 target=incident, data=data)


def _set_status(incident: Incident, actor: User | None, to: str, why: str) -> None:
    """The one place an incident's status changes; always writes a timeline row."""
    current = incident.status
    if to not in ALLOWED_TRANSITIONS[current]:
        raise Conflict(f"An incident that is {incident.get_status_display().lower()} cannot "
                       f"become {Incident.Status(to).label.lower()}.")
    incident.status = to
    incident.save(update_fields=["status", "updated_at"])
    _event(incident, actor, IncidentEvent.Kind.STATUS_CHANGED,
           f"Status: {Incident.Status(current).label} → {Incident.Status(to).label}", note=why,
           from_status=current, to_status=to)


def _not_closed(incident: Incident, doing: str) -> None:
    if incident.status in (Incident.Status.DECIDED, Incident.Status.CLOSED):
        raise Conflict(f"This incident is {incident.get_status_display().lower()}; you cannot "
                       f"{doing} any more.")


def _sha256_text(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()
