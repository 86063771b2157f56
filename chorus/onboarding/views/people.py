"""People pages: the list, adding and editing a person, their onboarding record, and the
HR import (upload, preview, apply)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chorus.common.errors import DomainError, NotFound
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest
from chorus.onboarding import selectors, services
from chorus.onboarding.forms import ImportForm, PersonForm, StageForm
from chorus.onboarding.importing import DATE_ORDERS
from chorus.onboarding.models import STATUS_LABELS, Attestation, Stage
from chorus.onboarding.views.base import _hr_only
from chorus.people.models import Person
from chorus.people.roles import Role

# --- People -----------------------------------------------------------------------------------


@login_required
def people(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not (selectors.is_hr(user) or user.has_role(Role.MANAGER)):
        return redirect("onboarding:me")
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    status = status if status in Person.Status.values else ""
    stage = request.GET.get("stage", "")
    stage = stage if stage in Stage.values else ""
    page = Paginator(selectors.people_for(user=user, q=q, status=status, stage=stage), 50
                     ).get_page(request.GET.get("page"))
    return render(request, "onboarding/people.html", {
        "page": page, "q": q, "status": status, "stage": stage, "hr": selectors.is_hr(user),
        "statuses": Person.Status.choices, "stages": Stage.choices,
    })


@login_required
def person_new(request: AuthedRequest) -> HttpResponse:
    _hr_only(request)
    org = request.user.org
    form = PersonForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            person = services.person_add(
                organization=org, actor=request.user, full_name=d["full_name"], email=d["email"],
                department=d["department"], manager=d["manager"], title=d["title"],
                location=d["location"], start_date=d["start_date"], status=d["status"],
                stage=d["stage"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{person.full_name} was added.")
            return redirect("onboarding:person", person_id=person.pk)
    return render(request, "onboarding/person_form.html", {"form": form, "person": None})


@login_required
def person_edit(request: AuthedRequest, person_id: int) -> HttpResponse:
    _hr_only(request)
    try:
        person = selectors.person_detail(user=request.user, person_id=person_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    initial = {"full_name": person.full_name, "email": person.email, "status": person.status,
               "department": person.department.name if person.department else "",
               "manager": person.manager_id, "title": person.title,
               "location": person.location, "start_date": person.start_date}
    form = PersonForm(request.POST or None, initial=initial, organization=person.organization,
                      person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(person=person, actor=request.user, values=form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Saved {person.full_name}.")
            return redirect("onboarding:person", person_id=person.pk)
    return render(request, "onboarding/person_form.html", {"form": form, "person": person})


@login_required
def person_detail(request: AuthedRequest, person_id: int) -> HttpResponse:
    user = request.user
    try:
        person = selectors.person_detail(user=user, person_id=person_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    hr = selectors.is_hr(user)
    stage_form = StageForm(request.POST or None, prefix="stage")
    if request.method == "POST":
        _hr_only(request)
        if stage_form.is_valid():
            try:
                services.person_set_stage(person=person, stage=stage_form.cleaned_data["stage"],
                                          actor=user, note=stage_form.cleaned_data["note"])
            except DomainError as exc:
                add_domain_error(stage_form, exc)
            else:
                messages.success(request, "Stage updated.")
                return redirect("onboarding:person", person_id=person.pk)
    onboarding = getattr(person, "onboarding", None)
    if onboarding is not None and not stage_form.is_bound:
        stage_form.initial = {"stage": onboarding.stage}
    now = timezone.now()
    assignments = [(a, a.display_status(now)) for a in selectors.person_status_rows(person=person)]
    return render(request, "onboarding/person.html", {
        "person": person, "onboarding": onboarding, "stage_form": stage_form, "hr": hr,
        "assignments": assignments, "labels": STATUS_LABELS,
        "changes": list(onboarding.changes.select_related("actor")) if onboarding else [],
        "attestations": list(Attestation.objects.filter(person=person)
                             .select_related("version")),
        "new_link": request.session.pop(f"onboarding-link-{person.pk}", None) if hr else None,
    })


@login_required
@require_POST
def person_not_hired(request: AuthedRequest, person_id: int) -> HttpResponse:
    _hr_only(request)
    try:
        person = selectors.person_detail(user=request.user, person_id=person_id)
        services.candidate_mark_not_hired(person=person, actor=request.user)
        days = services.onboarding_settings_for(organization=person.organization
                                                ).candidate_retention_days
        messages.success(request, f"{person.full_name} is marked as not hired. Their records "
                         f"will be deleted after {days} days.")
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("onboarding:person", person_id=person_id)


# --- Import -----------------------------------------------------------------------------------


@login_required
def people_import(request: AuthedRequest) -> HttpResponse:
    _hr_only(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            people_import = services.people_import_upload(
                organization=request.user.org, actor=request.user,
                filename=upload.name, raw=upload.read())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("onboarding:import-preview", import_id=people_import.pk)
    order = services.onboarding_settings_for(organization=request.user.org).import_date_order
    return render(request, "onboarding/import.html", {
        "form": form, "recent": selectors.recent_imports_for(user=request.user),
        "date_order": DATE_ORDERS.get(order, "")})


# The template's columns are exactly what the importer reads (chorus.onboarding.importing).
TEMPLATE_CSV = (
    "name,email,status,department,manager,start date,location,title,stage,employee id\r\n"
    "Morgan Diaz,morgan@example.com,employee,Engineering,,2024-01-15,Berlin,"
    "Engineering manager,,E-1001\r\n"
    "Jordan Lee,jordan.lee@example.com,candidate,Engineering,morgan@example.com,2026-04-01,"
    "Berlin,Robotics engineer,pre-boarding,E-1042\r\n"
)


@login_required
def people_import_template(request: AuthedRequest) -> HttpResponse:
    """A CSV with every column the import understands and one example row (UTF-8 with BOM,
    so spreadsheet programs open it with the right encoding)."""
    _hr_only(request)
    response = HttpResponse("\ufeff" + TEMPLATE_CSV, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="chorus-people-template.csv"'
    return response


@login_required
def people_import_preview(request: AuthedRequest, import_id: int) -> HttpResponse:
    _hr_only(request)
    try:
        people_import = selectors.people_import_get(user=request.user, import_id=import_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    if people_import.applied_at is not None:
        # The names are shown once, right after applying; later visits see the counts.
        result = request.session.pop(f"import-result-{people_import.pk}", None)
        return render(request, "onboarding/import_result.html", {
            "people_import": people_import, "result": result,
            "summary": people_import.summary})
    error = ""
    if request.method == "POST":
        try:
            result = services.people_import_apply(
                people_import=people_import, actor=request.user,
                invite=request.POST.get("invite") == "on",
                join_open_campaigns=request.POST.get("join_open_campaigns") == "on")
        except DomainError as exc:
            error = exc.message
        else:
            counts = result.counts
            messages.success(request, f"Imported: {counts['create']} added, {counts['update']} "
                             f"updated, {counts['unchanged']} unchanged.")
            request.session[f"import-result-{people_import.pk}"] = result.as_dict()
            return redirect("onboarding:import-preview", import_id=people_import.pk)
    preview = services.people_import_preview(people_import=people_import)
    errors_by_row: dict[int, list[Any]] = {}
    if preview.parsed:
        for e in preview.parsed.errors:
            errors_by_row.setdefault(e.row, []).append(e)
    rows = [(r, preview.actions.get(r.row), errors_by_row.get(r.row, []))
            for r in (preview.parsed.rows if preview.parsed else [])]
    return render(request, "onboarding/import_preview.html", {
        "preview": preview, "rows": rows, "error": error, "form": ImportForm(),
        "people_import": people_import,
        "without_account": selectors.import_rows_without_account(preview=preview),
    }, status=200)
