from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from chorus.audit.services import audit_record
from chorus.common.errors import DomainError, NotFound
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest
from chorus.incidents import matrix as M
from chorus.incidents import selectors as Q
from chorus.incidents import services as S
from chorus.incidents.forms import (
    AssessForm,
    CloseForm,
    ContainForm,
    DecideForm,
    EvidenceForm,
    FactsForm,
    HoldForm,
    IncidentCreateForm,
    MatrixForm,
    NotifyForm,
    ResponseForm,
    ReviewForm,
    ScreenForm,
    ShareForm,
    TryCaseForm,
)
from chorus.incidents.models import (
    MODIFIERS,
    History,
    Incident,
    Outcome,
    Response,
    ResponseMatrix,
    Severity,
)
from chorus.people.models import Person
from chorus.people.roles import Role


def _require(request: AuthedRequest, *roles: str) -> None:
    if not any(request.user.has_role(r) for r in roles):
        raise DjangoPermissionDenied


def _get(request: AuthedRequest, pk: int) -> Incident:
    try:
        return Q.incident_get(user=request.user, incident_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _people(request: AuthedRequest) -> Any:
    return Person.objects.filter(organization=request.user.organization).exclude(
        status=Person.Status.CANDIDATE).select_related("department")


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


# --------------------------------------------------------------------------- detail and actions


def _detail_context(request: AuthedRequest, incident_id: int,
                    bound: dict[str, Any] | None = None) -> dict[str, Any]:
    incident = Q.incident_detail_for(user=request.user, incident_id=incident_id)
    user = request.user
    rules = {r.id: r for r in Q.policy_rules_for(organization=incident.organization)}
    people = _people(request)
    forms: dict[str, Any] = {
        "evidence": EvidenceForm(),
        "facts": FactsForm(people=people, initial={"subject": incident.subject_id}),
        "screen": ScreenForm(initial=incident.screen_checklist),
        "notify": NotifyForm(),
        "assess": AssessForm(initial={"severity": incident.severity, **{
            k: str(v) for k, v in (incident.modifiers or {}).items()}}),
        "review": ReviewForm(),
        "decide": DecideForm(initial={"outcome": incident.suggested_response}),
        "contain": ContainForm(),
        "share": ShareForm(managers=Q.manager_choices(incident=incident)),
        "close": CloseForm(),
        "hold": HoldForm(initial={"hold": incident.legal_hold,
                                  "reason": incident.legal_hold_reason}),
        "response": ResponseForm(),
    }
    forms.update(bound or {})
    gates = S.incident_gates(incident)
    return {
        "incident": incident,
        "gates": gates,
        "missing": [g for g in gates if g.required and not g.ok],
        "forms": forms,
        "rules": [rules.get(r) or {"id": r, "title": r} for r in incident.rule_ids],
        "checklist": [(k, q, incident.screen_checklist.get(k, "")) for k, q in
                      S.PROTECTED_CHECKLIST.items()],
        "modifiers": [(MODIFIERS[k]["label"], v) for k, v in (incident.modifiers or {}).items()],
        "is_hr": user.has_role(Role.HR),
        "is_legal": user.has_role(Role.LEGAL),
        "sees_all": Q.sees_all_incidents(user),
        "is_subject": Q.is_subject(user, incident),
        "screen_clear": S.screen_clearly_negative(incident),
        "open": incident.status in (Incident.Status.OPEN, Incident.Status.IN_REVIEW),
    }


@login_required
def incident_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    incident = _get(request, pk)
    if Q.is_subject(request.user, incident) and not Q.sees_all_incidents(request.user):
        return redirect("incidents:incident-respond", pk=pk)
    return render(request, "incidents/detail.html", _detail_context(request, pk))


def _act_evidence(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        added = S.evidence_add(incident=incident, actor=request.user, text=d["text"],
                               url=d["url"], network=d["network"], screenshot=d["screenshot"],
                               note=d["note"])
        return form, f"{len(added)} evidence item(s) added and hashed."
    return form, ""


def _act_facts(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = FactsForm(request.POST, people=_people(request))
    if form.is_valid():
        d = form.cleaned_data
        S.incident_establish_facts(incident=incident, actor=request.user, subject=d["subject"],
                                   authorship_confirmed=d["authorship_confirmed"],
                                   lawful_access_confirmed=d["lawful_access_confirmed"],
                                   note=d["note"])
        return form, "Facts recorded as established."
    return form, ""


def _act_screen(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = ScreenForm(request.POST)
    if form.is_valid():
        S.incident_record_screen(incident=incident, actor=request.user,
                                 answers=dict(form.cleaned_data))
        return form, "Protected-activity checklist saved."
    return form, ""


def _act_notify(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = NotifyForm(request.POST)
    if form.is_valid():
        S.incident_notify(incident=incident, actor=request.user,
                          notice_text=form.cleaned_data["notice_text"])
        return form, "The employee can now read the allegation and respond."
    return form, ""


def _act_assess(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = AssessForm(request.POST)
    if form.is_valid():
        S.incident_assess(incident=incident, actor=request.user,
                          severity=form.cleaned_data["severity"], modifiers=form.modifiers())
        return form, "Assessed against the matrix."
    return form, ""


def _act_review(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = ReviewForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        S.incident_review(incident=incident, actor=request.user, kind=d["kind"],
                          verdict=d["verdict"], note=d["note"],
                          approves_beyond_one_step=d["approves_beyond_one_step"])
        return form, "Review recorded."
    return form, ""


def _act_decide(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = DecideForm(request.POST)
    if form.is_valid():
        S.incident_decide(incident=incident, actor=request.user,
                          outcome=form.cleaned_data["outcome"],
                          justification=form.cleaned_data["justification"])
        return form, "Decision recorded. Nothing was sent automatically: tell the employee."
    return form, ""


def _act_contain(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = ContainForm(request.POST)
    if form.is_valid():
        S.incident_contain(incident=incident, actor=request.user,
                           action=form.cleaned_data["action"], note=form.cleaned_data["note"])
        return form, "Containment step recorded."
    return form, ""


def _act_share(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = ShareForm(request.POST, managers=Q.manager_choices(incident=incident))
    if form.is_valid():
        S.incident_share(incident=incident, actor=request.user,
                         manager=form.cleaned_data["manager"])
        return form, "Shared with the manager."
    return form, ""


def _act_unshare(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    S.incident_unshare(incident=incident, actor=request.user,
                       manager_id=int(request.POST.get("manager", 0) or 0))
    return ShareForm(managers=Q.manager_choices(incident=incident)), "Sharing withdrawn."


def _act_close(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = CloseForm(request.POST)
    if form.is_valid():
        S.incident_close(incident=incident, actor=request.user, note=form.cleaned_data["note"])
        return form, "Incident closed; the evidence retention period starts now."
    return form, ""


def _act_hold(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = HoldForm(request.POST)
    if form.is_valid():
        S.incident_set_legal_hold(incident=incident, actor=request.user,
                                  hold=form.cleaned_data["hold"],
                                  reason=form.cleaned_data["reason"])
        return form, "Legal hold updated."
    return form, ""


def _act_response(request: AuthedRequest, incident: Incident) -> tuple[Any, str]:
    form = ResponseForm(request.POST)
    if form.is_valid():
        S.incident_record_response(incident=incident, actor=request.user,
                                   text=form.cleaned_data["text"])
        return form, "Response recorded on the employee's behalf."
    return form, ""


ACTIONS: dict[str, Callable[[AuthedRequest, Incident], tuple[Any, str]]] = {
    "evidence": _act_evidence, "facts": _act_facts, "screen": _act_screen,
    "notify": _act_notify, "assess": _act_assess, "review": _act_review,
    "decide": _act_decide, "contain": _act_contain, "share": _act_share,
    "unshare": _act_unshare, "close": _act_close, "hold": _act_hold, "response": _act_response,
}


@login_required
@require_POST
def incident_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """One POST endpoint per step; the service enforces roles and gates. Errors re-render the
    page with the form and the message next to the field at fault."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404("No such action.")
    incident = _get(request, pk)
    form: Any = None
    try:
        form, done = handler(request, incident)
    except DomainError as exc:
        form = form or _rebind(action, request, incident)
        add_domain_error(form, exc)
        done = ""
    if done:
        messages.success(request, done)
        return redirect(reverse("incidents:incident-detail", args=[pk]) + f"#{action}")
    key = "share" if action == "unshare" else action
    context = _detail_context(request, pk, bound={key: form})
    context["error_action"] = action
    return render(request, "incidents/detail.html", context, status=422)


def _rebind(action: str, request: AuthedRequest, incident: Incident) -> Any:
    """A bound form for an action whose service refused it (so the input is kept)."""
    people = _people(request)
    makers: dict[str, Callable[[], Any]] = {
        "evidence": lambda: EvidenceForm(request.POST),
        "facts": lambda: FactsForm(request.POST, people=people),
        "screen": lambda: ScreenForm(request.POST),
        "notify": lambda: NotifyForm(request.POST),
        "assess": lambda: AssessForm(request.POST),
        "review": lambda: ReviewForm(request.POST),
        "decide": lambda: DecideForm(request.POST),
        "contain": lambda: ContainForm(request.POST),
        "share": lambda: ShareForm(request.POST, managers=Q.manager_choices(incident=incident)),
        "unshare": lambda: ShareForm(managers=Q.manager_choices(incident=incident)),
        "close": lambda: CloseForm(request.POST),
        "hold": lambda: HoldForm(request.POST),
        "response": lambda: ResponseForm(request.POST),
    }
    form = makers[action]()
    form.is_valid()
    return form


# --------------------------------------------------------------------------- employee's page


@login_required
def incident_respond(request: AuthedRequest, pk: int) -> HttpResponse:
    """The employee's own view: what is alleged, the evidence, their response, the outcome."""
    incident = _get(request, pk)
    if not Q.is_subject(request.user, incident):
        return redirect("incidents:incident-detail", pk=pk)
    form = ResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            S.incident_record_response(incident=incident, actor=request.user,
                                       text=form.cleaned_data["text"])
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


# --------------------------------------------------------------------------- evidence


@login_required
def evidence_detail(request: AuthedRequest, pk: int, evidence_id: int) -> HttpResponse:
    """Show one evidence item; every view is written to the audit trail."""
    try:
        evidence = Q.evidence_get(user=request.user, incident_id=pk, evidence_id=evidence_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    S.evidence_record_view(evidence=evidence, user=request.user, channel="page")
    return render(request, "incidents/evidence.html", {"evidence": evidence,
                                                       "incident": evidence.incident})


@login_required
def evidence_file(request: AuthedRequest, pk: int, evidence_id: int) -> HttpResponseBase:
    """The stored screenshot, only through this permission-checked, audited view."""
    try:
        evidence = Q.evidence_get(user=request.user, incident_id=pk, evidence_id=evidence_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not evidence.file:
        raise Http404("This evidence has no file (or it was purged after retention).")
    S.evidence_record_view(evidence=evidence, user=request.user, channel="file")
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    response["Content-Disposition"] = f'inline; filename="evidence-{evidence.pk}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------- matrix


def _grid(cells: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    labels = dict(Response.choices)
    return [{"severity": sev, "label": M.label(Severity, sev),
             "cells": [{"history": h, "value": cells[sev][h], "label": labels[cells[sev][h]]}
                       for h in M.HISTORY_ORDER]}
            for sev in M.SEVERITY_ORDER]


@login_required
def matrix_page(request: AuthedRequest) -> HttpResponse:
    """The whole published grid on one screen, the lints, the versions and the try-a-case form."""
    _require(request, Role.HR, Role.LEGAL)
    org = request.user.org
    current = S.matrix_current(organization=org)
    draft = ResponseMatrix.objects.filter(organization=org,
                                          status=ResponseMatrix.Status.DRAFT).first()
    lints = M.lint_matrix(cells=current.cells, window_months=current.window_months,
                          response_days=current.response_days) if current else []
    return render(request, "incidents/matrix.html", {
        "current": current, "draft": draft, "grid": _grid(current.cells) if current else [],
        "histories": History.choices, "lints": lints,
        "versions": Q.matrix_versions(organization=org), "form": TryCaseForm(),
        "presets": list(M.PRESETS),
    })


@login_required
@require_POST
def matrix_try(request: AuthedRequest) -> HttpResponse:
    """HTMX: a hypothetical case → the suggestion and its explanation (no data is written)."""
    _require(request, Role.HR, Role.LEGAL)
    current = S.matrix_current(organization=request.user.org)
    form = TryCaseForm(request.POST)
    result, error = None, ""
    if current is None:
        error = "Publish a matrix first."
    elif form.is_valid():
        try:
            result = M.suggest(cells=current.cells, severity=form.cleaned_data["severity"],
                               history=form.cleaned_data["history"], modifiers=form.modifiers(),
                               legal_approved=form.cleaned_data["legal_approved"],
                               version=current.number)
        except DomainError as exc:
            error = exc.message
    context = {"result": result, "error": error, "form": form, "current": current,
               "grid": _grid(current.cells) if current else [], "histories": History.choices,
               "lints": [], "versions": Q.matrix_versions(organization=request.user.org),
               "presets": list(M.PRESETS)}
    template = "incidents/_try_result.html" if request.htmx else "incidents/matrix.html"
    return render(request, template, context, status=200 if not form.errors else 422)


@login_required
def matrix_edit(request: AuthedRequest) -> HttpResponse:
    """Edit the draft (created from the published version on first visit)."""
    _require(request, Role.HR, Role.LEGAL)
    org = request.user.org
    preset = request.GET.get("preset", "")
    try:
        draft = S.matrix_draft_get_or_create(organization=org, actor=request.user)
    except DomainError as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    initial = MatrixForm.initial_for(draft)
    if preset in M.PRESETS:
        for sev, row in M.PRESETS[preset].items():
            for hist, value in row.items():
                initial[f"cell_{sev}_{hist}"] = value
    form = MatrixForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            S.matrix_draft_save(matrix=draft, actor=request.user, cells=form.cells(),
                                window_months=d["window_months"],
                                response_days=d["response_days"],
                                retention_days=d["retention_days"],
                                change_summary=d["change_summary"])
            if "publish" in request.POST:
                S.matrix_publish(matrix=draft, actor=request.user)
                messages.success(request, f"Matrix v{draft.number} published. New assessments "
                                          "use it; earlier incidents keep their version.")
                return redirect("incidents:matrix")
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Draft saved.")
            return redirect("incidents:matrix-edit")
    cells = form.cells() if form.is_bound and form.is_valid() else draft.cells
    lints = M.lint_matrix(cells=cells, window_months=draft.window_months,
                          response_days=draft.response_days)
    rows = [{"label": M.label(Severity, sev),
             "fields": [form.cell(sev, h) for h in M.HISTORY_ORDER]} for sev in M.SEVERITY_ORDER]
    return render(request, "incidents/matrix_edit.html", {
        "form": form, "draft": draft, "rows": rows, "histories": History.choices,
        "lints": lints, "presets": list(M.PRESETS),
    }, status=422 if form.errors else 200)


# --------------------------------------------------------------------------- consistency


@login_required
def consistency(request: AuthedRequest) -> HttpResponse:
    _require(request, Role.HR, Role.LEGAL)
    category = request.GET.get("category", "")
    groups = Q.consistency_report(user=request.user, category=category)
    return render(request, "incidents/consistency.html", {
        "groups": groups, "deviations": Q.deviations(user=request.user)[:50],
        "category": category,
        "categories": sorted({g.category for g in Q.consistency_report(user=request.user)}),
        "outcomes": dict(Outcome.choices), "severities": dict(Severity.choices),
        "histories": dict(History.choices),
    })


@login_required
def consistency_csv(request: AuthedRequest) -> HttpResponse:
    """Every decided incident with its group and outcome, as CSV. Exports are audited."""
    _require(request, Role.HR, Role.LEGAL)
    groups = Q.consistency_report(user=request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="incident-consistency.csv"'
    writer = csv.writer(response)
    writer.writerow(["incident", "category", "severity", "history", "department", "manager",
                     "decided", "suggested", "outcome", "deviated", "outlier"])
    rows = 0
    for group in groups:
        outliers = {i.pk for i in group.outliers}
        for i in group.incidents:
            subject = i.subject
            writer.writerow([
                i.reference, group.category, group.severity, group.history,
                subject.department.name if subject and subject.department else "",
                subject.manager.full_name if subject and subject.manager else "",
                i.decided_at.date().isoformat() if i.decided_at else "",
                i.suggested_response, i.outcome, "yes" if i.deviated else "no",
                "yes" if i.pk in outliers else "no",
            ])
            rows += 1
    audit_record(organization=request.user.organization, actor=request.user,
                 action="incident.consistency_exported", data={"rows": rows})
    return response
