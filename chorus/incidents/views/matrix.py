"""The response matrix: the published grid, trying a hypothetical case, editing the draft."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chorus.common.errors import DomainError
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest
from chorus.incidents import matrix as M
from chorus.incidents import selectors as Q
from chorus.incidents import services as S
from chorus.incidents.forms import MatrixForm, TryCaseForm
from chorus.incidents.models import History, Response, ResponseMatrix, Severity
from chorus.incidents.views.base import _require
from chorus.people.roles import Role


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
                                change_summary=d["change_summary"],
                                appeal_days=d.get("appeal_days"))
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
