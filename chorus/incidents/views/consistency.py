"""The consistency report (like cases, like outcomes) and its audited CSV export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from chorus.audit.services import audit_record
from chorus.common.csvexport import csv_response
from chorus.common.types import AuthedRequest
from chorus.incidents import selectors as Q
from chorus.incidents.models import History, Outcome, Severity
from chorus.incidents.views.base import _require
from chorus.people.roles import Role


@login_required
def consistency(request: AuthedRequest) -> HttpResponse:
    _require(request, Role.HR, Role.LEGAL)
    category = request.GET.get("category", "")
    groups = Q.consistency_report(user=request.user, category=category)
    return render(request, "incidents/consistency.html", {
        "groups": groups, "deviations": Q.deviations(user=request.user)[:50],
        "category": category,
        # (key, human label) pairs: the filter shows "Negative about a competitor", not the key.
        "categories": sorted({(g.category, g.category_label)
                              for g in Q.consistency_report(user=request.user)},
                             key=lambda pair: pair[1].lower()),
        "outcomes": dict(Outcome.choices), "severities": dict(Severity.choices),
        "histories": dict(History.choices),
        "appeal_rows": Q.appeal_stats(user=request.user),
    })


@login_required
def consistency_csv(request: AuthedRequest) -> HttpResponse:
    """Every decided incident with its group and outcome, as CSV. Exports are audited."""
    _require(request, Role.HR, Role.LEGAL)
    groups = Q.consistency_report(user=request.user)
    rows = []
    for group in groups:
        outliers = {i.pk for i in group.outliers}
        for i in group.incidents:
            subject = i.subject
            rows.append([
                i.reference, group.category, group.severity, group.history,
                subject.department.name if subject and subject.department else "",
                subject.manager.full_name if subject and subject.manager else "",
                i.decided_at.date().isoformat() if i.decided_at else "",
                i.suggested_response, i.outcome, "yes" if i.deviated else "no",
                "yes" if i.pk in outliers else "no",
            ])
    # Department and manager names come from HR imports: the shared writer neutralizes formulas.
    response = csv_response(rows, filename="incident-consistency.csv", header=[
        "incident", "category", "severity", "history", "department", "manager", "decided",
        "suggested", "outcome", "deviated", "outlier"])
    audit_record(organization=request.user.organization, actor=request.user,
                 action="incident.consistency_exported", data={"rows": len(rows)})
    return response
