"""Pages: SCIM tokens (administrators), offboarding summaries (HR), verified affiliation
(each employee, for themselves)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chorus.common.errors import DomainError
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest
from chorus.people.roles import Role
from chorus.provisioning.forms import AffiliationForm, ScimTokenForm
from chorus.provisioning.models import Offboarding, ScimToken, ScimUser
from chorus.provisioning.services import (
    affiliation_current,
    affiliation_request,
    affiliation_revoke,
    offboarding_get,
    scim_token_create,
    scim_token_revoke,
)


def _require(request: AuthedRequest, role: str) -> None:
    if not request.user.has_role(role):
        raise PermissionDenied("This page is for the organization's "
                               f"{'administrators' if role == Role.ADMIN else 'HR team'}.")


@login_required
def scim_tokens(request: AuthedRequest) -> HttpResponse:
    """SCIM settings: the base URL and the tokens (secret shown once)."""
    _require(request, Role.ADMIN)
    form = ScimTokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_secret = scim_token_create(actor=request.user, name=form.cleaned_data["name"])
            form = ScimTokenForm()
        except DomainError as exc:
            add_domain_error(form, exc)
    organization = request.user.org
    return render(request, "provisioning/scim_tokens.html", {
        "form": form, "new_secret": new_secret,
        "tokens": ScimToken.objects.filter(organization=organization).select_related(
            "created_by"),
        "base_url": request.build_absolute_uri("/scim/v2/").rstrip("/"),
        "provisioned": ScimUser.objects.filter(organization=organization).count(),
    })


@login_required
@require_POST
def scim_token_revoke_view(request: AuthedRequest, token_id: int) -> HttpResponse:
    try:
        token = scim_token_revoke(actor=request.user, token_id=token_id)
        messages.success(request, f"Token “{token.name}” revoked. It no longer works.")
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
    return redirect("provisioning:scim-tokens")


@login_required
def offboardings(request: AuthedRequest) -> HttpResponse:
    _require(request, Role.HR)
    rows = (Offboarding.objects.filter(organization_id=request.user.org_id)
            .select_related("person", "actor").order_by("-offboarded_at")[:200])
    return render(request, "provisioning/offboardings.html", {"rows": rows})


@login_required
def offboarding_detail(request: AuthedRequest, person_id: int) -> HttpResponse:
    try:
        record = offboarding_get(user=request.user, person_id=person_id)
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404(exc.message) from None
        raise PermissionDenied(exc.message) from None
    return render(request, "provisioning/offboarding_detail.html",
                  {"record": record, "public": False})


@login_required
def affiliation(request: AuthedRequest) -> HttpResponse:
    """The employee's own verified affiliation: ask for it, see what to publish, revoke."""
    person = request.user.person
    domains = list(request.user.org.verified_domains or [])
    form = AffiliationForm(request.POST or None, domains=domains)
    if request.method == "POST" and form.is_valid():
        try:
            affiliation_request(user=request.user, name=form.cleaned_data["name"],
                                domain=form.cleaned_data["domain"] or "",
                                did=form.cleaned_data["did"])
            messages.success(request, "Your verified affiliation is live.")
            return redirect("provisioning:affiliation")
        except DomainError as exc:
            add_domain_error(form, exc)
    current = affiliation_current(person=person) if person is not None else None
    return render(request, "provisioning/affiliation.html", {
        "form": form, "current": current, "person": person, "domains": domains,
        "profile_url": (request.build_absolute_uri(f"/people/{current.profile_slug}/")
                        if current else ""),
    })


@login_required
@require_POST
def affiliation_revoke_view(request: AuthedRequest, affiliation_id: int) -> HttpResponse:
    try:
        affiliation_revoke(user=request.user, affiliation_id=affiliation_id)
        messages.success(request, "Revoked. Your handle and profile page no longer answer.")
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
    return redirect("provisioning:affiliation")
