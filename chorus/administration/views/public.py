"""Pages without a session: accepting an invitation and resetting a password."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache

from chorus.administration import services
from chorus.administration.forms import ChorusPasswordResetForm, InvitationAcceptForm
from chorus.audit.services import audit_record
from chorus.common.errors import DomainError
from chorus.common.forms import add_domain_error

PROBLEMS = {
    "invalid": "This invitation link is not valid. It may have been copied incompletely, or "
    "a newer invitation replaced it: use the most recent e-mail, or ask your administrator "
    "to send it again.",
    "expired": "This invitation has expired. Ask your administrator to send it again.",
    "revoked": "This invitation was withdrawn. Ask your administrator if you expected it.",
    "accepted": "This invitation was already used. Sign in with your e-mail and password.",
    "suspended": "This organization is suspended on this installation; the invitation cannot "
    "be used until the suspension is lifted.",
}


@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_resolve(token)
    except services.InvitationProblem as problem:
        return render(
            request,
            "administration/invitation_problem.html",
            {"message": PROBLEMS[problem.kind], "kind": problem.kind},
            status=410 if problem.kind in {"expired", "revoked", "accepted"} else 404,
        )
    if request.user.is_authenticated:
        messages.info(request, "Sign out first to accept an invitation for another account.")
        return redirect("dashboard")
    form = InvitationAcceptForm(request.POST or None, initial={"full_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except services.InvitationProblem as problem:
            return render(
                request,
                "administration/invitation_problem.html",
                {"message": PROBLEMS[problem.kind], "kind": problem.kind},
                status=410,
            )
        except DomainError as exc:
            if exc.field == "password":
                form.add_error("password1", exc.message)
            else:
                add_domain_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {user.org.name} on Chorus.")
            return redirect("dashboard")
    return render(
        request,
        "administration/invitation_accept.html",
        {"form": form, "invitation": invitation},
        status=422 if form.is_bound and form.errors else 200,
    )


def _over_limit(key: str, limit: int) -> bool:
    """Count one request in a one-hour window; True once `limit` is passed."""
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count > limit


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset flow with the product's templates, throttled per address and per IP,
    audited, and answering the same whether or not the address has an account."""

    form_class = ChorusPasswordResetForm
    template_name = "administration/password_reset_form.html"
    email_template_name = "administration/password_reset_email.txt"
    subject_template_name = "administration/password_reset_subject.txt"
    success_url = reverse_lazy("administration-public:password-reset-done")

    @property
    def extra_email_context(self) -> dict[str, str]:  # type: ignore[override]
        # Links use SITE_URL, never the request's Host header (which a client controls).
        return {"site_url": settings.SITE_URL}

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        digest = hashlib.sha256(email.encode()).hexdigest()
        ip = self.request.META.get("REMOTE_ADDR", "")
        if _over_limit(f"chorus:pwreset:ip:{ip}", settings.CHORUS_PASSWORD_RESET_PER_IP) or (
            _over_limit(f"chorus:pwreset:email:{digest}", settings.CHORUS_PASSWORD_RESET_PER_EMAIL)
        ):
            return render(self.request, "administration/password_reset_throttled.html", status=429)
        with transaction.atomic():
            for user in form.get_users(email):
                if user.organization_id:
                    audit_record(
                        organization=user.organization,
                        actor=None,
                        action="people.password_reset_requested",
                        target=user,
                        data={"user": user.email, "ip": ip},
                    )
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "administration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "administration/password_reset_confirm.html"
    success_url = reverse_lazy("administration-public:password-reset-complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        if user.organization_id:
            audit_record(
                organization=user.organization,
                actor=user,
                action="people.password_reset_completed",
                target=user,
                data={"user": user.email},
            )
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "administration/password_reset_complete.html"
