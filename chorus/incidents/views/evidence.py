"""One evidence item and its stored file, each view written to the audit trail."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from chorus.common.errors import NotFound
from chorus.common.types import AuthedRequest
from chorus.incidents import selectors as Q
from chorus.incidents import services as S


@login_required
def evidence_detail(request: AuthedRequest, pk: int, evidence_id: int) -> HttpResponse:
    """Show one evidence item; every view is written to the audit trail."""
    try:
        evidence = Q.evidence_get(user=request.user, incident_id=pk, evidence_id=evidence_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    S.evidence_record_view(evidence=evidence, user=request.user, channel="page")
    return render(request, "incidents/evidence.html", {"evidence": evidence,
                                                       "incident": evidence.incident})


@login_required
def evidence_file(request: AuthedRequest, pk: int, evidence_id: int) -> HttpResponseBase:
    """The stored screenshot, only through this permission-checked, audited view."""
    try:
        evidence = Q.evidence_get(user=request.user, incident_id=pk, evidence_id=evidence_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if not evidence.file:
        raise Http404("This evidence has no file (or it was purged after retention).")
    S.evidence_record_view(evidence=evidence, user=request.user, channel="file")
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    response["Content-Disposition"] = f'inline; filename="evidence-{evidence.pk}"'
    response["Cache-Control"] = "private, no-store"
    return response
