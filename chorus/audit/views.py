from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from chorus.audit.selectors import audit_entries_masked, audit_entry_list_for
from chorus.audit.services import audit_verify
from chorus.common.types import AuthedRequest


@login_required
def audit_log(request: AuthedRequest) -> HttpResponse:
    if not (request.user.has_role("admin") or request.user.has_role("legal")):
        raise PermissionDenied
    action = request.GET.get("action", "")
    page = Paginator(audit_entry_list_for(user=request.user, action_prefix=action), 50).get_page(
        request.GET.get("page")
    )
    verify = (
        audit_verify(organization_id=request.user.organization_id)
        if "verify" in request.GET
        else None
    )
    entries = audit_entries_masked(organization_id=request.user.org_id, entries=page)
    return render(
        request,
        "audit/log.html",
        {"page": page, "entries": entries, "action": action, "verify": verify},
    )
