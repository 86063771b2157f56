"""Containment (take-down request, pausing advocacy) and sharing with a manager; separate
from discipline."""

from __future__ import annotations

from django.db import transaction

from chorus.common.errors import Conflict, InvalidInput
from chorus.incidents.models import Incident, IncidentEvent, IncidentShare
from chorus.incidents.services.base import _audit, _event, _require_role
from chorus.incidents.services.gates import screen_clearly_negative
from chorus.people.models import User
from chorus.people.roles import Role
from chorus.people.selectors import person_in_team
from chorus.people.services import person_set_advocacy_paused


@transaction.atomic
def incident_contain(*, incident: Incident, actor: User, action: str, note: str) -> Incident:
    """Containment, separate from discipline and allowed before any decision: ask for a
    take-down, or pause/resume the person's advocacy access. A take-down is refused while the
    post may be protected activity, unless legal approved."""
    _require_role(actor, Role.HR, doing="take containment steps")
    if incident.subject is None:
        raise InvalidInput("Choose who this incident concerns first.", field="subject")
    if not note.strip():
        raise InvalidInput("Say why this step is needed.", field="note")
    if action == "takedown":
        legal_ok = incident.reviews.filter(kind="legal", verdict="approve").exists()
        if not (screen_clearly_negative(incident) or legal_ok):
            raise Conflict("A take-down may only be asked for when the protected-activity "
                           "screen is clearly negative, or legal approved it: never ask "
                           "someone to delete a post about working conditions.")
        summary = "Take-down requested"
    elif action in ("pause_advocacy", "resume_advocacy"):
        pause = action == "pause_advocacy"
        person_set_advocacy_paused(person=incident.subject, paused=pause, actor=actor,
                                   reason=f"{incident.reference}: {note.strip()}"[:300])
        summary = "Advocacy access paused" if pause else "Advocacy access resumed"
    else:
        raise InvalidInput("Choose a containment step.", field="action")
    _event(incident, actor, IncidentEvent.Kind.CONTAINMENT, summary, note=note.strip())
    _audit(incident, actor, "incident.containment", step=action)
    return incident


@transaction.atomic
def incident_share(*, incident: Incident, actor: User, manager: User) -> IncidentShare:
    """Share an incident with one of the subject's managers (direct or higher up)."""
    _require_role(actor, Role.HR, doing="share incidents")
    if manager.organization_id != incident.organization_id or not manager.has_role(Role.MANAGER):
        raise InvalidInput("Choose a manager in your organization.", field="manager")
    person = manager.person
    if incident.subject is None or person is None or \
            not person_in_team(person=person, member_id=incident.subject.pk):
        raise InvalidInput(f"{manager} does not manage {incident.subject or 'this person'}; "
                           "incidents are only shared with the person's own managers.",
                           field="manager")
    share, created = IncidentShare.objects.get_or_create(
        incident=incident, user=manager,
        defaults={"organization_id": incident.organization_id, "shared_by": actor})
    if created:
        _event(incident, actor, IncidentEvent.Kind.SHARED, f"Shared with {manager}")
        _audit(incident, actor, "incident.shared", manager=manager.pk)
    return share


@transaction.atomic
def incident_unshare(*, incident: Incident, actor: User, manager_id: int) -> None:
    _require_role(actor, Role.HR, doing="share incidents")
    deleted, _ = IncidentShare.objects.filter(incident=incident, user_id=manager_id).delete()
    if deleted:
        _event(incident, actor, IncidentEvent.Kind.SHARED, "Sharing with a manager withdrawn")
        _audit(incident, actor, "incident.unshared", manager=manager_id)
