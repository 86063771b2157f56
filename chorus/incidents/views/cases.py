"""The incident list, opening an incident by hand, and the employee's own page (what is
alleged, the evidence, their response, the outcome)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from chorus.common.errors import DomainError
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest
from chorus.incidents import selectors as Q
from chorus.incidents import services as S
from chorus.incidents.forms import EmployeeResponseForm, IncidentCreateForm
from chorus.incidents.models import Incident
from chorus.incidents.views.base import _get, _people, _require
from chorus.people.roles import Role

# --------------------------------------------------------------------------- list, create


@login_required
def incident_list(request: AuthedRequest) -> HttpResponse:
    """HR, legal and admins see all incidents; others only those they may see (selector)."""
    status = request.GET.get("status", "")
    if status not in Incident.Status.values:
        status = ""
    incidents = Q.incident_list_for(user=request.user, status=status or None)
    page = Paginator(incidents, 25).get_page(request.GET.get("page"))
    return render(request, "incidents/list.html", {
        "page": page, "status": status, "statuses": Incident.Status.choices,
        "sees_all": Q.sees_all_incidents(request.user),
        # Severity and the matrix's suggestion are for HR and managers, not the employee.
        "hr_columns": Q.sees_all_incidents(request.user) or request.user.has_role(Role.MANAGER),
        "can_open": request.user.has_role(Role.HR),
    })


@login_required
def incident_create(request: AuthedRequest) -> HttpResponse:
    _require(request, Role.HR)
    rules = Q.policy_rules_for(organization=request.user.org)
    form = IncidentCreateForm(request.POST or None, people=_people(request), rules=rules)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = S.incident_open_manual(
                organization=request.user.org, actor=request.user,
                subject=data["subject"], title=data["title"], summary=data["summary"],
                category=data["category"], rule_ids=data["rule_ids"], text=data["text"],
                url=data["url"], network=data["network"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{incident.reference} opened.")
            return redirect("incidents:incident-detail", pk=incident.pk)
    return render(request, "incidents/create.html", {"form": form},
                  status=422 if form.errors else 200)

# --------------------------------------------------------------------------- employee's page


@login_required
def my_cases(request: AuthedRequest) -> HttpResponse:
    """The employee's own cases, in plain words: only those HR has told them about."""
    cases = (Incident.objects.filter(organization_id=request.user.org_id,
                                     subject__user=request.user, notified_at__isnull=False)
             .order_by("-notified_at"))
    return render(request, "incidents/mine.html", {"cases": cases})


@login_required
def incident_respond(request: AuthedRequest, pk: int) -> HttpResponse:
    """The employee's own view: what is alleged, the evidence, their response, the outcome."""
    incident = _get(request, pk)
    if not Q.is_subject(request.user, incident):
        return redirect("incidents:incident-detail", pk=pk)
    form = EmployeeResponseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            S.incident_record_response(incident=incident, actor=request.user, text=d["text"],
                                       attachments=d["attachments"],
                                       meeting_requested=d["meeting_requested"],
                                       representative=d["representative"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Your response was recorded. HR will read it before any "
                                      "decision.")
            return redirect("incidents:incident-respond", pk=pk)
    incident = Q.incident_detail_for(user=request.user, incident_id=pk)
    return render(request, "incidents/respond.html", {
        "incident": incident, "form": form,
        "evidence": [e for e in incident.evidence.all()],
        "rules": Q.policy_rules_for(organization=incident.organization),
    }, status=422 if form.errors else 200)
