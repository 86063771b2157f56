"""Official presence: the directory communications keeps (hub) and what employees see
(follow links, QR codes and the profile kit)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from chorus.advocacy.forms import OfficialAccountForm
from chorus.advocacy.models import OfficialAccount
from chorus.advocacy.presence import (
    LANGUAGES,
    PRESENCE_NETWORKS,
    language_for,
    profile_kit,
    qr_data_uri,
)
from chorus.advocacy.services import official_account_delete, official_account_save
from chorus.advocacy.services.profile_checks import profile_check_summary
from chorus.advocacy.views.base import _form_error, editor_required
from chorus.checks.services import screening_policy
from chorus.common.errors import DomainError
from chorus.common.types import AuthedRequest


def _accounts(request: AuthedRequest, *, active_only: bool = True) -> list[OfficialAccount]:
    qs = OfficialAccount.objects.filter(organization=request.user.org)
    if active_only:
        qs = qs.filter(is_active=True)
    return list(qs)


def _get(request: AuthedRequest, account_id: int) -> OfficialAccount:
    account = OfficialAccount.objects.filter(
        organization=request.user.org, pk=account_id).first()
    if account is None:
        raise Http404("No such official account.")
    return account


@login_required
def presence(request: AuthedRequest) -> HttpResponse:
    """Our official accounts with follow links and QR codes, and the profile kit."""
    user = request.user
    accounts = [
        {"account": a, "network": PRESENCE_NETWORKS.get(a.network), "qr": qr_data_uri(a.url)}
        for a in _accounts(request)
    ]
    policy = screening_policy(organization=user.org)
    person = user.person
    lang = language_for(request.GET.get("lang") or user.org.language or "en")
    kit = profile_kit(
        organization=user.org.name, title=person.title if person else "",
        disclaimer=policy.disclosure.disclaimer or "",
        hashtags=tuple(policy.effective_hashtags()), language=lang,
    )
    return render(request, "advocacy/presence.html", {
        "accounts": accounts, "kit": kit, "lang": lang, "languages": LANGUAGES,
        "policy_disclaimer": policy.disclosure.disclaimer or "",
    })


@editor_required
def presence_manage(request: AuthedRequest, account_id: int | None = None) -> HttpResponse:
    """List the official accounts and add or edit one on the same page."""
    account = _get(request, account_id) if account_id is not None else None
    initial = ({"network": account.network, "handle": account.handle, "url": account.url,
                "label": account.label, "position": account.position,
                "is_active": account.is_active} if account
               else {"position": 0, "is_active": True})
    form = OfficialAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            official_account_save(actor=request.user, account=account, **form.cleaned_data)
            messages.success(request, gettext("Official account saved."))
            return redirect("advocacy:presence-manage")
        except DomainError as exc:
            _form_error(form, exc)
    return render(request, "advocacy/presence_manage.html", {
        "form": form, "account": account,
        "accounts": [(a, PRESENCE_NETWORKS.get(a.network)) for a in
                     _accounts(request, active_only=False)],
        "profiles": profile_check_summary(organization=request.user.org),
    }, status=422 if request.method == "POST" else 200)


@editor_required
@require_POST
def presence_delete(request: AuthedRequest, account_id: int) -> HttpResponse:
    account = _get(request, account_id)
    try:
        official_account_delete(actor=request.user, account=account)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    messages.success(request, gettext("Official account removed."))
    return redirect("advocacy:presence-manage")
