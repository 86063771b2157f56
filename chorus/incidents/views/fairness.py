"""Appeals (the employee files, HR names a reviewer who took no part, the reviewer decides)
and warnings that are not strikes (coaching notes, informal warnings with an expiry)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q as DQ
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from chorus.common.errors import DomainError
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest
from chorus.incidents import selectors as Q
from chorus.incidents import services as S
from chorus.incidents.forms import (
    AppealAssignForm,
    AppealDecideForm,
    AppealForm,
    InformalActionForm,
)
from chorus.incidents.models import Appeal, Incident, InformalAction
from chorus.incidents.views.base import _get, _people, _require
from chorus.people.models import User
from chorus.people.roles import Role


def _reviewers(incident: Incident) -> Any:
    staff = (User.objects.filter(organization_id=incident.organization_id, is_active=True)
             .filter(DQ(groups__name=Role.HR) | DQ(groups__name=Role.LEGAL)).distinct()
             .order_by("full_name"))
    return staff.filter(pk__in=[u.pk for u in staff if not S.took_part(incident, u)])


@login_required
def appeal_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The decision and its appeal: the employee files here, HR names the reviewer."""
    incident = _get(request, pk)
    is_subject = Q.is_subject(request.user, incident)
    is_hr = request.user.has_role(Role.HR)
    if not (is_subject or is_hr):
        raise Http404("No such page.")
    appeal = incident.appeals.select_related("reviewer", "appellant").first()
    file_form = AppealForm()
    assign_form = AppealAssignForm(reviewers=_reviewers(incident)) if is_hr else None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "file" and is_subject:
                file_form = AppealForm(request.POST)
                if file_form.is_valid():
                    S.appeal_file(incident=incident, actor=request.user,
                                  grounds=file_form.cleaned_data["grounds"])
                    messages.success(request, "Your appeal was filed. A reviewer who took no "
                                              "part in your case will decide it.")
                    return redirect("incidents:appeal", pk=pk)
            elif action == "assign" and is_hr and appeal is not None:
                assign_form = AppealAssignForm(request.POST, reviewers=User.objects.filter(
                    organization_id=incident.organization_id))
                if assign_form.is_valid():
                    S.appeal_assign(appeal=appeal, actor=request.user,
                                    reviewer=assign_form.cleaned_data["reviewer"])
                    messages.success(request, "Reviewer named.")
                    return redirect("incidents:appeal", pk=pk)
            else:
                raise Http404("No such action.")
        except DomainError as exc:
            target = file_form if action == "file" or assign_form is None else assign_form
            add_domain_error(target, exc)
        status = 422
    can_file, why_not = S.appeal_can_file(incident)
    return render(request, "incidents/appeal.html", {
        "incident": incident, "appeal": appeal, "is_subject": is_subject, "is_hr": is_hr,
        "can_file": can_file and is_subject, "why_not": why_not,
        "deadline": S.appeal_deadline(incident), "file_form": file_form,
        "assign_form": assign_form,
    }, status=status)


@login_required
def appeal_review(request: AuthedRequest, pk: int) -> HttpResponse:
    appeal = (Appeal.objects.select_related("incident", "incident__subject", "appellant")
              .filter(pk=pk, organization_id=request.user.org_id,
                      reviewer=request.user).first())
    if appeal is None:
        raise Http404("No such appeal.")
    form = AppealDecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            S.appeal_decide(appeal=appeal, actor=request.user, result=form.cleaned_data["result"],
                            reasons=form.cleaned_data["reasons"],
                            new_outcome=form.cleaned_data["new_outcome"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Appeal decided.")
            return redirect("incidents:appeal-review", pk=pk)
    return render(request, "incidents/appeal_review.html",
                  {"appeal": appeal, "incident": appeal.incident, "form": form},
                  status=422 if form.errors else 200)


@login_required
def informal_list(request: AuthedRequest) -> HttpResponse:
    """HR: every coaching note and informal warning. Employees: their own."""
    rows = InformalAction.objects.filter(organization_id=request.user.org_id)
    if not request.user.has_role(Role.HR):
        rows = rows.filter(subject__user=request.user)
    return render(request, "incidents/informal_list.html", {
        "rows": rows.select_related("subject", "given_by", "incident")[:300],
        "today": timezone.localdate(), "is_hr": request.user.has_role(Role.HR)})


@login_required
def informal_new(request: AuthedRequest) -> HttpResponse:
    _require(request, Role.HR)
    initial: dict[str, Any] = {}
    incident = None
    if request.GET.get("incident", "").isdigit():
        incident = _get(request, int(request.GET["incident"]))
        initial = {"incident": incident.pk, "subject": incident.subject_id}
    form = InformalActionForm(request.POST or None, people=_people(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        linked = _get(request, d["incident"]) if d.get("incident") else None
        try:
            S.informal_action_give(organization=request.user.org, actor=request.user,
                                   subject=d["subject"], kind=d["kind"], note=d["note"],
                                   expires_in_days=d["expires_in_days"], incident=linked)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Recorded. It is not a sanction and does not count as "
                                      "history in the response matrix.")
            return redirect("incidents:informal-list")
    return render(request, "incidents/informal_new.html", {"form": form, "incident": incident},
                  status=422 if form.errors else 200)
