from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from chorus.common.errors import DomainError
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest
from chorus.people.forms import ApiTokenForm, LanguageForm, TimezoneForm
from chorus.people.roles import ROLE_DESCRIPTIONS, Role
from chorus.people.selectors import api_token_list_for
from chorus.people.services import (
    api_token_create,
    api_token_revoke,
    user_set_language,
    user_set_timezone,
)


@login_required
def account(request: AuthedRequest) -> HttpResponse:
    """The user's own account: roles and personal API tokens (secret shown once)."""
    posted = request.POST if request.method == "POST" else None
    zone_posted = posted is not None and "timezone" in posted
    zone_form = TimezoneForm(
        posted if zone_posted else None, initial={"timezone": request.user.timezone}
    )
    if zone_posted and zone_form.is_valid():
        try:
            user_set_timezone(user=request.user, timezone_name=zone_form.cleaned_data["timezone"])
            messages.success(request, "Time zone saved.")
            return redirect("people:account")
        except DomainError as exc:
            add_domain_error(zone_form, exc)
    language_posted = posted is not None and "language" in posted
    language_form = LanguageForm(
        posted if language_posted else None, initial={"language": request.user.language}
    )
    if language_posted and language_form.is_valid():
        try:
            user_set_language(user=request.user, language=language_form.cleaned_data["language"])
            messages.success(request, gettext("Language saved."))
            return redirect("people:account")
        except DomainError as exc:
            add_domain_error(language_form, exc)
    zone_posted = zone_posted or language_posted
    form = ApiTokenForm(None if zone_posted else posted)
    new_secret = None
    if posted is not None and not zone_posted and form.is_valid():
        try:
            _, new_secret = api_token_create(user=request.user, name=form.cleaned_data["name"])
            form = ApiTokenForm()
        except DomainError as exc:
            add_domain_error(form, exc)
    roles = [
        {"name": Role(r).label, "description": ROLE_DESCRIPTIONS[Role(r)]}
        for r in sorted(request.user.role_names)
        if r in Role.values
    ]
    return render(
        request,
        "people/account.html",
        {
            "form": form,
            "zone_form": zone_form,
            "language_form": language_form,
            "tokens": api_token_list_for(user=request.user),
            "new_secret": new_secret,
            "roles": roles,
        },
    )


@login_required
@require_POST
def token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    try:
        token = api_token_revoke(user=request.user, token_id=token_id)
        messages.success(request, f"Token “{token.name}” revoked. It no longer works.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("people:account")
