"""Legal export pages: request a bundle, watch its progress, download it (audited)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from chorus.common.errors import DomainError, NotFound
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest
from chorus.legalexport import services
from chorus.legalexport.forms import ExportForm
from chorus.legalexport.models import ExportJob


def _require(request: AuthedRequest) -> None:
    if not services.can_export(request.user):
        raise Http404("No such page.")


@login_required
def export_list(request: AuthedRequest) -> HttpResponse:
    _require(request)
    form = ExportForm(request.POST or None, initial={
        "scope": "incident", "incident_id": request.GET.get("incident") or None})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            job = services.export_request(organization=request.user.org,
                                          actor=request.user, scope=d["scope"],
                                          incident_id=d["incident_id"], since=d["since"],
                                          until=d["until"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, gettext("Export started; it builds in the background."))
            return redirect("legalexport:detail", pk=job.pk)
    jobs = ExportJob.objects.filter(organization=request.user.org).select_related(
        "requested_by")[:50]
    return render(request, "legalexport/list.html", {"form": form, "jobs": jobs},
                  status=422 if form.errors else 200)


@login_required
def export_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _require(request)
    try:
        job = services.export_get_for(user=request.user, job_id=pk)
    except NotFound:
        raise Http404("No such export.") from None
    template = ("legalexport/_progress.html" if getattr(request, "htmx", False)
                else "legalexport/detail.html")
    return render(request, template, {"job": job})


@login_required
def export_download(request: AuthedRequest, pk: int) -> FileResponse:
    _require(request)
    try:
        job = services.export_get_for(user=request.user, job_id=pk)
    except NotFound:
        raise Http404("No such export.") from None
    path = services.export_file_path(job) if job.path else None
    if job.status != ExportJob.Status.DONE or path is None or not path.exists():
        raise Http404("This bundle is not ready.")
    services.export_record_download(job=job, actor=request.user)
    return FileResponse(path.open("rb"), as_attachment=True,
                        filename=f"chorus-legal-export-{job.pk}.zip",
                        content_type="application/zip")
