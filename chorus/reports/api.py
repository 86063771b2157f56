"""/api/v1/reports: file a report (any employee), and for triagers list, read and move them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Router, Schema, Status

from chorus.common.api import InputSchema, limit_query, offset_query
from chorus.common.types import AuthedRequest
from chorus.reports import selectors, services
from chorus.reports.models import Report

router = Router(tags=["reports"])


class ReportIn(InputSchema):
    url: str
    category: str
    description: str
    network: str | None = None
    post_text: str = ""
    anonymous: bool = False


class ReportCreatedOut(Schema):
    report: str
    merged: bool
    status: str
    report_key: str | None = None  # only for anonymous reports; shown once, never stored


class ReportOut(Schema):
    id: int
    reference: str
    url: str
    network: str
    category: str
    status: str
    submission_count: int
    assignee: str | None
    sla_hours: int
    due_at: datetime
    sla_state: str
    protected_activity: bool
    needs_legal_review: bool
    outcome: str
    incident_ref: str
    created_at: datetime


class TransitionIn(InputSchema):
    to: str
    reason: str = ""
    outcome: str = ""


def _out(report: Report) -> dict[str, Any]:
    return {
        "id": report.pk,
        "reference": report.reference,
        "url": report.url,
        "network": report.network,
        "category": report.category,
        "status": report.status,
        "submission_count": report.submission_count,
        "assignee": report.assignee.email if report.assignee else None,
        "sla_hours": report.sla_hours,
        "due_at": report.due_at,
        "sla_state": report.sla_state(),
        "protected_activity": report.protected_activity,
        "needs_legal_review": report.needs_legal_review,
        "outcome": report.outcome,
        "incident_ref": report.incident_ref,
        "created_at": report.created_at,
    }


@router.post("", response={201: ReportCreatedOut}, summary="Report a concerning post")
def create(request: AuthedRequest, payload: ReportIn) -> Status:
    user = request.auth
    result = services.report_submit(
        organization=user.org,
        reporter=user,
        url=payload.url,
        network=payload.network,
        category=payload.category,
        description=payload.description,
        post_text=payload.post_text,
        anonymous=payload.anonymous,
    )
    # An anonymous reporter gets no report id: it would tie their API token to the case.
    return Status(
        201,
        {
            "report": "" if result.key else result.report.reference,
            "merged": result.merged,
            "status": result.report.status,
            "report_key": result.key,
        },
    )


@router.get("", response=list[ReportOut], summary="Reports in your triage queue")
def list_reports(
    request: AuthedRequest,
    status: str | None = None,
    category: str | None = None,
    sla: str | None = None,
    limit: int = limit_query(100, 500),
    offset: int = offset_query(),
) -> list[dict[str, Any]]:
    user = request.auth
    limit = max(1, min(limit, 500))
    reports = selectors.report_list_for(user=user, status=status, category=category, sla=sla)
    return [_out(r) for r in reports[offset : offset + limit]]


@router.get("/{report_id}", response=ReportOut, summary="One report")
def get_report(request: AuthedRequest, report_id: int) -> dict[str, Any]:
    return _out(selectors.report_get_for(user=request.auth, report_id=report_id))


@router.post("/{report_id}/transition", response=ReportOut, summary="Change a report's status")
def transition(request: AuthedRequest, report_id: int, payload: TransitionIn) -> dict[str, Any]:
    user = request.auth
    report = selectors.report_get_for(user=user, report_id=report_id)
    report = services.report_transition(
        report=report, actor=user, to=payload.to, reason=payload.reason, outcome=payload.outcome
    )
    return _out(selectors.report_get_for(user=user, report_id=report.pk))
