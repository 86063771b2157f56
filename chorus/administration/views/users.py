"""Admin → Users and roles: accounts, invitations, roles, deactivation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chorus.administration import selectors, services
from chorus.administration.forms import ROLE_HELP, DeactivateForm, InviteForm, RolesForm
from chorus.administration.views.base import _admin_only
from chorus.audit.models import AuditEntry
from chorus.common.errors import DomainError, NotFound
from chorus.common.forms import add_domain_error
from chorus.common.text import format_day
from chorus.common.types import AuthedRequest


@login_required
def users(request: AuthedRequest) -> HttpResponse:
    """The organization's accounts and pending invitations, with the invitation form."""
    _admin_only(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            invitation = services.invitation_create(
                organization=request.user.org,
                actor=request.user,
                email=d["email"],
                full_name=d["full_name"],
                roles=d["roles"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. The link works until "
                f"{format_day(invitation.expires_at)}.",
            )
            return redirect("administration:users")
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    status = status if status in {"active", "deactivated"} else ""
    page = Paginator(selectors.user_list_for(user=request.user, q=q, status=status), 50).get_page(
        request.GET.get("page")
    )
    rows = [(u, selectors.user_roles(u)) for u in page]
    return render(
        request,
        "administration/users.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "q": q,
            "status": status,
            "invitations": selectors.invitation_list_for(user=request.user),
            "role_help": ROLE_HELP,
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
def user_detail(request: AuthedRequest, user_id: int) -> HttpResponse:
    """One account: its roles (editable), tokens, status and recent permission changes."""
    _admin_only(request)
    try:
        member = selectors.user_get(user=request.user, user_id=user_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    form = RolesForm(request.POST or None, initial={"roles": selectors.user_roles(member)})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_roles_update(
                user=member, actor=request.user, roles=form.cleaned_data["roles"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"Roles of {member} saved.")
            return redirect("administration:user", user_id=member.pk)
    history = AuditEntry.objects.filter(
        organization_id=request.user.org_id,
        target_type="people.user",
        target_id=str(member.pk),
    ).order_by("-seq")[:20]
    return render(
        request,
        "administration/user.html",
        {
            "member": member,
            "form": form,
            "roles": selectors.user_roles(member),
            "tokens": [t for t in member.api_tokens.all() if t.is_active],
            "deactivate_form": DeactivateForm(),
            "history": history,
            "role_help": ROLE_HELP,
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def user_deactivate(request: AuthedRequest, user_id: int) -> HttpResponse:
    _admin_only(request)
    form = DeactivateForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        member = selectors.user_get(user=request.user, user_id=user_id)
        services.user_deactivate(user=member, actor=request.user, reason=reason)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"{member} is deactivated: signed out everywhere, API tokens revoked, no new "
            "sign-in. Their records stay.",
        )
    return redirect("administration:user", user_id=user_id)


@login_required
@require_POST
def user_reactivate(request: AuthedRequest, user_id: int) -> HttpResponse:
    _admin_only(request)
    try:
        member = selectors.user_get(user=request.user, user_id=user_id)
        services.user_reactivate(user=member, actor=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{member} can sign in again (with new sessions and tokens).")
    return redirect("administration:user", user_id=user_id)


@login_required
@require_POST
def invitation_resend(request: AuthedRequest, invitation_id: int) -> HttpResponse:
    _admin_only(request)
    try:
        invitation = selectors.invitation_get(user=request.user, invitation_id=invitation_id)
        invitation = services.invitation_resend(invitation=invitation, actor=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"Invitation sent again to {invitation.email}; the earlier link no longer works.",
        )
    return redirect("administration:users")


@login_required
@require_POST
def invitation_revoke(request: AuthedRequest, invitation_id: int) -> HttpResponse:
    _admin_only(request)
    try:
        invitation = selectors.invitation_get(user=request.user, invitation_id=invitation_id)
        invitation = services.invitation_revoke(invitation=invitation, actor=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Invitation for {invitation.email} revoked.")
    return redirect("administration:users")
