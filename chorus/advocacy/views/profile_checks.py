"""Profile checks: the employee's own results with a one-click suggested bio, and the
aggregate communications sees (issue 19)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chorus.advocacy.presence import language_for
from chorus.advocacy.services.profile_checks import (
    profile_check_disable,
    profile_check_enable,
    profile_check_request,
    profile_check_set_sharing,
    profile_checks_for_owner,
    profile_detail_for_staff_set,
    suggested_bio,
)
from chorus.advocacy.views.base import editor_required
from chorus.common.errors import DomainError, NotFound
from chorus.common.types import AuthedRequest


@login_required
def profile_checks(request: AuthedRequest) -> HttpResponse:
    """The user's Mastodon and Bluesky accounts, their profile check and a suggested bio."""
    user = request.user
    lang = language_for(request.GET.get("lang") or get_language() or user.org.language)
    rows = profile_checks_for_owner(user=user)
    for row in rows:
        row["suggestion"] = suggested_bio(
            organization=user.org, user=user, network=row["account"].network, language=lang
        )
        check = row["check"]
        row["problems"] = [_(p) for p in check.problems] if check else []
    return render(request, "advocacy/profile_checks.html", {"rows": rows, "lang": lang})


@login_required
@require_POST
def profile_check_action(request: AuthedRequest, account_id: int, action: str) -> HttpResponse:
    user = request.user
    rows = {r["account"].pk: r for r in profile_checks_for_owner(user=user)}
    row = rows.get(account_id)
    if row is None:
        raise Http404("No such linked account.")
    check = row["check"]
    try:
        if action == "enable":
            profile_check_enable(user=user, account_id=account_id)
            messages.success(
                request, _("Profile check switched on; the result appears here in a minute.")
            )
        elif check is None:
            raise Http404("This account's profile is not checked.")
        elif action == "check":
            profile_check_request(user=user, check_id=check.pk)
            messages.success(request, _("Checking again; the result appears here in a minute."))
        elif action == "disable":
            profile_check_disable(user=user, check_id=check.pk)
            messages.success(request, _("Profile check switched off; its result was deleted."))
        elif action in ("share", "unshare"):
            profile_check_set_sharing(user=user, check_id=check.pk, share=action == "share")
            messages.success(request, _("Saved."))
        else:
            raise Http404("Unknown action.")
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("advocacy:profile-checks")


@editor_required
@require_POST
def profile_detail_setting(request: AuthedRequest) -> HttpResponse:
    allowed = request.POST.get("allowed") == "1"
    profile_detail_for_staff_set(actor=request.user, allowed=allowed)
    messages.success(request, _("Saved."))
    return redirect("advocacy:presence-manage")
