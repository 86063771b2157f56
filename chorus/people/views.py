from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chorus.common.errors import DomainError
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest
from chorus.people.forms import ApiTokenForm
from chorus.people.roles import ROLE_DESCRIPTIONS, Role
from chorus.people.selectors import api_token_list_for
from chorus.people.services import api_token_create, api_token_revoke


@login_required
def account(request: AuthedRequest) -> HttpResponse:
    """The user's own account: roles and personal API tokens (secret shown once)."""
    form = ApiTokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
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
