"""The consistency report (like cases, like outcomes) and its audited CSV export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from chorus.audit.services import audit_record
from chorus.common.csvexport import csv_stream
from chorus.common.types import AuthedRequest
from chorus.incidents import selectors as Q
from chorus.incidents.models import History, Outcome, Severity
from chorus.incidents.views.base import _require
from chorus.people.roles import Role

GROUPS_PER_PAGE = 10


@login_required
def consistency(request: AuthedRequest) -> HttpResponse:
    _require(request, Role.HR, Role.LEGAL)
    category = request.GET.get("category", "")
    every = Q.consistency_report(user=request.user)  # built once: groups and filter choices
    groups = [g for g in every if g.category == category] if category else every
    page = Paginator(groups, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = Q.consistency_details(user=request.user, groups=list(page.object_list))
    return render(request, "incidents/consistency.html", {
        "groups": page.object_list, "page": page,
        "deviations": Q.deviations(user=request.user)[:50],
        "category": category,
        # (key, human label) pairs: the filter shows "Negative about a competitor", not the key.
        "categories": sorted({(g.category, g.category_label) for g in every},
                             key=lambda pair: pair[1].lower()),
        "outcomes": dict(Outcome.choices), "severities": dict(Severity.choices),
        "histories": dict(History.choices),
        "appeal_rows": Q.appeal_stats(user=request.user),
    })


@login_required
def consistency_csv(request: AuthedRequest) -> StreamingHttpResponse:
    """Every decided incident with its group and outcome, as CSV, streamed. Exports are
    audited (the row count is known from the group counts before the first row is sent)."""
    _require(request, Role.HR, Role.LEGAL)
    groups = Q.consistency_report(user=request.user)
    rows = Q.consistency_export_rows(user=request.user, groups=groups)
    # Department and manager names come from HR imports: the shared writer neutralizes formulas.
    response = csv_stream(rows, filename="incident-consistency.csv", header=[
        "incident", "category", "severity", "history", "department", "manager", "decided",
        "suggested", "outcome", "deviated", "outlier"])
    audit_record(organization=request.user.organization, actor=request.user,
                 action="incident.consistency_exported",
                 data={"rows": sum(g.size for g in groups)})
    return response
