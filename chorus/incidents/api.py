"""Incidents over the API: the same scoping and services as the pages.

Lists and reads go through `incident_list_for` (another organization, or an incident not shared
with you, is a 404); writes call the same services, which check roles and gates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Router, Schema

from chorus.common.api import Id, InputSchema
from chorus.common.errors import InvalidInput
from chorus.common.types import AuthedRequest
from chorus.incidents import selectors as Q
from chorus.incidents import services as S
from chorus.incidents.models import Incident
from chorus.people.models import Person

router = Router(tags=["incidents"])


class GateOut(Schema):
    key: str
    label: str
    required: bool
    ok: bool
    detail: str


class IncidentOut(Schema):
    id: int
    reference: str
    title: str
    status: str
    source: str
    source_ref: str
    subject_id: int | None
    subject: str | None
    category: str
    rule_ids: list[str]
    severity: str
    history: str
    matrix_version: int | None
    suggested_response: str
    outcome: str
    deviated: bool
    justification: str
    opened_at: datetime
    notified_at: datetime | None
    response_due_at: datetime | None
    responded_at: datetime | None
    decided_at: datetime | None
    closed_at: datetime | None


class IncidentDetailOut(IncidentOut):
    gates: list[GateOut]
    explanation: list[str]


class IncidentIn(InputSchema):
    subject_id: Id
    title: str
    summary: str = ""
    category: str = ""
    rule_ids: list[str] = []
    text: str = ""
    url: str = ""
    network: str = ""


class ResponseIn(InputSchema):
    text: str


class DecisionIn(InputSchema):
    outcome: str
    justification: str = ""


def _out(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.pk, "reference": incident.reference, "title": incident.title,
        "status": incident.status, "source": incident.source, "source_ref": incident.source_ref,
        "subject_id": incident.subject_id,
        "subject": incident.subject.full_name if incident.subject else None,
        "category": incident.category, "rule_ids": incident.rule_ids,
        "severity": incident.severity, "history": incident.history,
        "matrix_version": incident.matrix.number if incident.matrix else None,
        "suggested_response": incident.suggested_response, "outcome": incident.outcome,
        "deviated": incident.deviated, "justification": incident.justification,
        "opened_at": incident.opened_at, "notified_at": incident.notified_at,
        "response_due_at": incident.response_due_at, "responded_at": incident.responded_at,
        "decided_at": incident.decided_at, "closed_at": incident.closed_at,
    }


def _detail(incident: Incident) -> dict[str, Any]:
    return {**_out(incident), "gates": [g.__dict__ for g in S.incident_gates(incident)],
            "explanation": incident.suggestion_explanation}


@router.get("", response=list[IncidentOut], summary="Incidents you may see")
def list_incidents(request: AuthedRequest, status: str | None = None) -> list[dict[str, Any]]:
    if status and status not in Incident.Status.values:
        raise InvalidInput(f"Unknown status {status!r}; use {', '.join(Incident.Status.values)}.",
                           field="status")
    return [_out(i) for i in Q.incident_list_for(user=request.user, status=status)[:500]]


@router.get("/{incident_id}", response=IncidentDetailOut, summary="One incident with its gates")
def get_incident(request: AuthedRequest, incident_id: int) -> dict[str, Any]:
    return _detail(Q.incident_get(user=request.user, incident_id=incident_id))


@router.post("", response={201: IncidentDetailOut}, summary="Open an incident by hand (HR)")
def create_incident(request: AuthedRequest, payload: IncidentIn) -> tuple[int, dict[str, Any]]:
    subject = Person.objects.filter(organization=request.user.organization,
                                    pk=payload.subject_id).first()
    if subject is None:
        raise InvalidInput("No such person in your organization.", field="subject_id")
    incident = S.incident_open_manual(
        organization=request.user.org, actor=request.user, subject=subject,
        title=payload.title, summary=payload.summary, category=payload.category,
        rule_ids=payload.rule_ids, text=payload.text, url=payload.url, network=payload.network)
    return 201, _detail(incident)


@router.post("/{incident_id}/response", response=IncidentDetailOut,
             summary="Record the employee's response (the employee, or HR on their behalf)")
def record_response(
    request: AuthedRequest, incident_id: int, payload: ResponseIn
) -> dict[str, Any]:
    incident = Q.incident_get(user=request.user, incident_id=incident_id)
    return _detail(S.incident_record_response(incident=incident, actor=request.user,
                                              text=payload.text))


@router.post("/{incident_id}/decision", response=IncidentDetailOut,
             summary="Record a decision (HR; every gate must pass)")
def decide(request: AuthedRequest, incident_id: int, payload: DecisionIn) -> dict[str, Any]:
    incident = Q.incident_get(user=request.user, incident_id=incident_id)
    return _detail(S.incident_decide(incident=incident, actor=request.user,
                                     outcome=payload.outcome,
                                     justification=payload.justification))
