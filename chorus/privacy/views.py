"""Data-rights pages: the person's own export (self-service, from the account page) and
HR's data requests (export on request, erasure). Another organization's ids are 404."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from chorus.common.errors import DomainError, NotFound, PermissionDenied
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest
from chorus.people.models import Person
from chorus.privacy.forms import ErasureForm
from chorus.privacy.models import ErasureRecord
from chorus.privacy.selectors import (
    data_subject_get,
    data_subject_search,
    erasure_get,
    erasure_list_for,
)
from chorus.privacy.services import PersonExport, person_erase, person_export


def _own_person(request: AuthedRequest) -> Person:
    person = request.user.person
    if person is None or person.organization_id != request.user.org_id:
        raise Http404("Your account has no HR record in this organization.")
    return person


def _subject(request: AuthedRequest, person_id: int) -> Person:
    try:
        return data_subject_get(user=request.user, person_id=person_id)
    except NotFound:
        raise Http404("No such person in your organization.")
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message)


def _json_download(export: PersonExport) -> HttpResponse:
    response = HttpResponse(
        json.dumps(export.to_dict(), indent=2, ensure_ascii=False, default=str),
        content_type="application/json; charset=utf-8",
    )
    stamp = export.generated_at.strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="chorus-data-{export.person_id}-{stamp}.json"'
    )
    return response


def _render_export(request: AuthedRequest, export: PersonExport, *, own: bool) -> HttpResponse:
    return render(request, "privacy/export.html", {"export": export, "own": own})


@login_required
@require_GET
def my_data(request: AuthedRequest) -> HttpResponse:
    person = request.user.person
    return render(request, "privacy/my_data.html", {"person": person})


@login_required
@require_GET
def my_export_html(request: AuthedRequest) -> HttpResponse:
    export = person_export(actor=request.user, person=_own_person(request), fmt="html")
    return _render_export(request, export, own=True)


@login_required
@require_GET
def my_export_json(request: AuthedRequest) -> HttpResponse:
    return _json_download(
        person_export(actor=request.user, person=_own_person(request), fmt="json")
    )


@login_required
@require_GET
def requests(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    try:
        people = data_subject_search(user=request.user, query=query)[:50]
        erasures = erasure_list_for(user=request.user)[:20]
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message)
    return render(
        request, "privacy/requests.html", {"people": people, "query": query, "erasures": erasures}
    )


@login_required
@require_GET
def person_detail(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = _subject(request, person_id)
    erasure = ErasureRecord.objects.filter(person=person).first()
    return render(
        request,
        "privacy/person.html",
        {"person": person, "form": ErasureForm(), "erasure": erasure},
    )


@login_required
@require_GET
def person_export_html(request: AuthedRequest, person_id: int) -> HttpResponse:
    export = person_export(actor=request.user, person=_subject(request, person_id), fmt="html")
    return _render_export(request, export, own=False)


@login_required
@require_GET
def person_export_json(request: AuthedRequest, person_id: int) -> HttpResponse:
    return _json_download(
        person_export(actor=request.user, person=_subject(request, person_id), fmt="json")
    )


@login_required
@require_POST
def person_erase_view(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = _subject(request, person_id)
    form = ErasureForm(request.POST)
    if form.is_valid():
        try:
            record = person_erase(
                actor=request.user,
                person=person,
                confirm_name=form.cleaned_data["confirm_name"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                gettext(
                    "The person's data was erased. What had to stay is listed below with the "
                    "reason."
                ),
            )
            return redirect("privacy:erasure", erasure_id=record.pk)
    erasure = ErasureRecord.objects.filter(person=person).first()
    return render(
        request,
        "privacy/person.html",
        {"person": person, "form": form, "erasure": erasure},
        status=422,
    )


@login_required
@require_GET
def erasure_detail(request: AuthedRequest, erasure_id: int) -> HttpResponse:
    try:
        record = erasure_get(user=request.user, erasure_id=erasure_id)
    except NotFound:
        raise Http404("No such erasure in your organization.")
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message)
    return render(request, "privacy/erasure.html", {"record": record})
