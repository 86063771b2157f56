"""Which gates are still open, the decision itself (HR only, after every gate) and closing."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from chorus.common.errors import Conflict, InvalidInput
from chorus.incidents.models import Incident, IncidentEvent, Outcome, Severity
from chorus.incidents.services.base import _audit, _event, _require_role, _set_status
from chorus.incidents.services.gates import Gate, screen_clearly_negative
from chorus.people.models import User
from chorus.people.roles import Role


def incident_gates(incident: Incident, *, now: datetime | None = None) -> list[Gate]:
    """The gates a decision must pass, each with what is missing. Pure read."""
    now = now or timezone.now()
    reviews = list(incident.reviews.all())
    gates = []
    facts = incident.facts_established_at is not None
    gates.append(Gate("facts", "Facts established", True, facts,
                      f"Established {incident.facts_established_at:%Y-%m-%d}" if facts else
                      "Confirm who posted it, that it is really theirs and that it was obtained "
                      "lawfully."))
    answered = bool(incident.screen_checklist)
    clear = screen_clearly_negative(incident)
    engine = incident.get_screen_signal_display()
    all_no = answered and all(v == "no" for v in incident.screen_checklist.values())
    checklist = "all answers no" if all_no else "possible protected activity"
    gates.append(Gate("screen", "Protected-activity screen", True, answered,
                      f"Engine: {engine}. Checklist: {checklist}." if answered else
                      f"Engine: {engine}. The reviewer must answer the checklist."))
    if incident.responded_at:
        response_ok, detail = True, f"Responded {incident.responded_at:%Y-%m-%d}"
    elif incident.notified_at and incident.response_due_at and now >= incident.response_due_at:
        response_ok, detail = True, (f"Window passed {incident.response_due_at:%Y-%m-%d} "
                                     "without a response")
    elif incident.notified_at:
        response_ok, detail = False, (f"Waiting for the employee until "
                                      f"{incident.response_due_at:%Y-%m-%d %H:%M}")
    else:
        response_ok, detail = False, "Tell the employee what is alleged and open their window."
    gates.append(Gate("response", "Employee told and heard", True, response_ok, detail))
    assessed = bool(incident.assessed_at)
    gates.append(Gate("assessed", "Assessed against the matrix", True, assessed,
                      f"Matrix v{incident.matrix.number}: "
                      f"{incident.get_suggested_response_display()}"
                      if assessed and incident.matrix else
                      "Set the severity and modifiers to get the matrix suggestion."))
    needs_second = incident.severity in (Severity.HIGH, Severity.CRITICAL)
    second = [r for r in reviews if r.kind == "second" and r.reviewer_id != incident.owner_id]
    second_ok = any(r.verdict == "approve" for r in second)
    gates.append(Gate("second_review", "Second reviewer", needs_second,
                      second_ok or not needs_second,
                      (f"Approved by {second[-1].reviewer}" if second_ok else
                       "High severity: another HR or legal reviewer must approve.")
                      if needs_second else "Not required below high severity."))
    needs_legal = incident.severity == Severity.CRITICAL or not clear
    legal = [r for r in reviews if r.kind == "legal"]
    legal_ok = bool(legal) and legal[-1].verdict == "approve"
    why = ("critical severity" if incident.severity == Severity.CRITICAL
           else "the protected-activity screen is not clearly negative")
    gates.append(Gate("legal_review", "Legal review", needs_legal, legal_ok or not needs_legal,
                      (f"Approved by {legal[-1].reviewer}" if legal_ok else
                       f"Required because {why}; legal must approve."
                       + (" Legal raised concerns." if legal and not legal_ok else ""))
                      if needs_legal else "Not required: screen clear and below critical."))
    return gates


def missing_gates(incident: Incident, *, now: datetime | None = None) -> list[Gate]:
    return [g for g in incident_gates(incident, now=now) if g.required and not g.ok]


def incident_decision_check(*, incident: Incident, actor: User, outcome: str,
                            justification: str = "") -> str:
    """Raise exactly what `incident_decide` would refuse, writing nothing; return the cleaned
    justification. The decide page calls it before showing its confirmation step, so a person
    is asked to confirm only a decision that will be accepted."""
    _require_role(actor, Role.HR, doing="record decisions")
    if incident.status != Incident.Status.IN_REVIEW:
        raise Conflict(f"This incident is {incident.get_status_display().lower()}; a decision "
                       "can only be recorded while it is in review (after the employee was told).")
    missing = missing_gates(incident)
    if missing:
        raise Conflict("Not yet: " + "; ".join(f"{g.label}: {g.detail}" for g in missing))
    if outcome not in Outcome.values:
        raise InvalidInput("Choose the outcome.", field="outcome")
    justification = justification.strip()
    if outcome != incident.suggested_response and len(justification) < 20:
        raise InvalidInput(
            f"The matrix suggests {incident.get_suggested_response_display()}; you chose "
            f"{Outcome(outcome).label}. Write why (at least 20 characters): the facts that "
            "make this case different.", field="justification")
    return justification


@transaction.atomic
def incident_decide(*, incident: Incident, actor: User, outcome: str,
                    justification: str = "") -> Incident:
    """Record a person's decision. Refused until every gate passed; an outcome other than the
    matrix suggestion needs a written justification. Nothing is done to the employee
    automatically; they are told a decision was recorded (mandatory notification) and read it
    on their page."""
    # Lock the row so two people cannot record two decisions; refresh the caller's object.
    Incident.objects.select_for_update().filter(pk=incident.pk).first()
    incident.refresh_from_db()
    justification = incident_decision_check(incident=incident, actor=actor, outcome=outcome,
                                            justification=justification)
    deviated = outcome != incident.suggested_response
    incident.outcome, incident.deviated, incident.justification = outcome, deviated, justification
    incident.decided_by, incident.decided_at = actor, timezone.now()
    incident.save(update_fields=["outcome", "deviated", "justification", "decided_by",
                                 "decided_at", "updated_at"])
    _set_status(incident, actor, Incident.Status.DECIDED, "Decision recorded")
    _event(incident, actor, IncidentEvent.Kind.DECIDED,
           f"Decided: {incident.get_outcome_display()}"
           + (f" (matrix suggested {incident.get_suggested_response_display()})"
              if deviated else " (as suggested)"), note=justification)
    _audit(incident, actor, "incident.decided", outcome=outcome,
           suggested=incident.suggested_response, deviated=deviated,
           matrix=incident.matrix.number if incident.matrix else None)
    from chorus.incidents.services.notices import after_decided
    from chorus.notifications.events import emit_event

    after_decided(incident)
    # Neutral facts only: no names, no allegation, no justification text.
    emit_event(organization=incident.organization, type="incident.decided", data={
        "incident_id": incident.pk, "outcome": outcome, "deviated": deviated,
        "decided_at": incident.decided_at.isoformat() if incident.decided_at else None,
    })  # fmt: skip
    return incident


@transaction.atomic
def incident_close(*, incident: Incident, actor: User, note: str = "") -> Incident:
    """Close a decided incident, or dismiss an undecided one (a note saying why is required).
    The evidence retention period starts now."""
    _require_role(actor, Role.HR, doing="close incidents")
    if incident.status == Incident.Status.CLOSED:
        raise Conflict("This incident is already closed.")
    dismissing = incident.status != Incident.Status.DECIDED
    if dismissing and not note.strip():
        raise InvalidInput("Say why the incident is dismissed without a decision "
                           "(e.g. the facts could not be established).", field="note")
    incident.closed_at, incident.closing_note = timezone.now(), note.strip()
    incident.save(update_fields=["closed_at", "closing_note", "updated_at"])
    _set_status(incident, actor, Incident.Status.CLOSED,
                ("Dismissed without a decision: " if dismissing else "Closed: ") + note.strip())
    _audit(incident, actor, "incident.closed", dismissed=dismissing)
    return incident
