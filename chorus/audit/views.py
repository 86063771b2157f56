from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from chorus.audit.export import audit_csv
from chorus.audit.forms import AuditFilterForm
from chorus.audit.models import ChainVerification
from chorus.audit.selectors import (
    audit_actor_labels,
    audit_entries_masked,
    audit_entries_masked_iter,
    audit_entry_list_for,
)
from chorus.audit.services import audit_record, audit_verify, chain_verification_request
from chorus.common.types import AuthedRequest


@login_required
def audit_log(request: AuthedRequest) -> HttpResponse:
    """The trail with filters (action, who, object, dates); `?export=csv` downloads the view."""
    if not (request.user.has_role("admin") or request.user.has_role("legal")):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None, actors=audit_actor_labels(user=request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entry_list_for(
        user=request.user,
        action_prefix=filters.get("action", ""),
        actor=filters.get("actor", ""),
        obj=filters.get("obj", ""),
        since=filters.get("since"),
        until=filters.get("until"),
    )
    if request.GET.get("export") == "csv" and form.is_valid():
        return _export(request, entries, filters)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    if "verify" in request.GET:
        # The worker re-hashes the chain (seconds at 100,000 entries); the page shows progress.
        chain_verification_request(organization=request.user.org, actor=request.user)
    verify = ChainVerification.objects.filter(organization_id=request.user.org_id).first()
    query = request.GET.copy()
    for key in ("page", "verify", "export"):
        query.pop(key, None)
    shown_entries = audit_entries_masked(organization_id=request.user.org_id, entries=page)
    return render(
        request,
        "audit/log.html",
        {
            "page": page,
            "entries": shown_entries,
            "form": form,
            "verify": verify,
            "query": query.urlencode(),
        },
    )


def _export(request: AuthedRequest, entries, filters: dict) -> HttpResponse:  # type: ignore[no-untyped-def, type-arg]
    verify = audit_verify(organization_id=request.user.organization_id)
    shown = {k: str(v) for k, v in filters.items() if v}
    masked = audit_entries_masked_iter(
        organization_id=request.user.org_id, entries=entries.iterator(chunk_size=2000)
    )
    body = audit_csv(entries=masked, verify=verify, filters=shown)
    audit_record(
        organization=request.user.org,
        actor=request.user,
        action="audit.exported",
        data={"filters": shown, "chain_ok": verify.ok},
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
