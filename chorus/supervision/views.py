from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chorus.common.errors import DomainError, NotFound, PermissionDenied
from chorus.common.types import AuthedRequest
from chorus.screening.catalog import CATEGORIES
from chorus.supervision import selectors, services


def _supervisor_or_404(request: AuthedRequest) -> None:
    if not selectors.is_supervisor(request.user):
        raise Http404


@login_required
def queue(request: AuthedRequest) -> HttpResponse:
    """The supervision queue, ranked by risk, then the random sample of allowed posts."""
    _supervisor_or_404(request)
    items = selectors.queue_for(user=request.user)
    return render(
        request,
        "supervision/queue.html",
        {
            "items": items,
            "categories": CATEGORIES,
            "settings": selectors.settings_for(organization=request.user.organization),
        },
    )


@login_required
@require_POST
def decide(request: AuthedRequest) -> HttpResponse:
    _supervisor_or_404(request)
    source = request.POST.get("source", "")
    try:
        source_id = int(request.POST.get("source_id", ""))
    except ValueError:
        source_id = -1
    if source_id < 0 or source_id > 2**53:
        messages.error(request, _("That item does not exist; reload the queue."))
        return redirect("supervision:queue")
    try:
        services.decision_record(
            reviewer=request.user,
            source=source,
            source_id=source_id,
            decision=request.POST.get("decision", ""),
            categories=request.POST.getlist("categories"),
            reason=request.POST.get("reason", ""),
        )
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('supervision:queue')}#item-{source}-{source_id}")
    messages.success(request, _("Decision recorded."))
    return redirect("supervision:queue")


@login_required
def settings_page(request: AuthedRequest) -> HttpResponse:
    _supervisor_or_404(request)
    error = ""
    if request.method == "POST":
        try:
            services.settings_update(
                actor=request.user, sample_percent=request.POST.get("sample_percent")
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Sample saved."))
            return redirect("supervision:queue")
    return render(
        request,
        "supervision/settings.html",
        {
            "settings": selectors.settings_for(organization=request.user.organization),
            "error": error,
        },
        status=422 if error else 200,
    )


@login_required
def precision(request: AuthedRequest) -> HttpResponse:
    """Per-category precision of the engine, from this organization's own reviews, by month."""
    _supervisor_or_404(request)
    rows = selectors.precision_by_month(user=request.user)
    return render(request, "supervision/precision.html", {"rows": rows})


def _admin_or_404(request: AuthedRequest) -> None:
    if not request.user.has_role("admin"):
        raise Http404


@login_required
def model_page(request: AuthedRequest) -> HttpResponse:
    """Admin: the organization's model versions, the last retraining reports, rollback."""
    _admin_or_404(request)
    runs = selectors.retrain_runs_for(user=request.user)[:10]
    return render(
        request,
        "supervision/model.html",
        {
            "versions": selectors.heads_versions_for(user=request.user)[:20],
            "runs": runs,
            "running": any(r.is_active for r in runs),
            "has_active": selectors.heads_versions_for(user=request.user)
            .filter(status="active")
            .exists(),
        },
    )


@login_required
@require_POST
def model_retrain(request: AuthedRequest) -> HttpResponse:
    _admin_or_404(request)
    try:
        run = services.retrain_request(actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("supervision:model")
    messages.success(request, _("Retraining started; the report appears here when it is done."))
    return redirect("supervision:run-detail", pk=run.pk)


@login_required
@require_POST
def model_rollback(request: AuthedRequest) -> HttpResponse:
    _admin_or_404(request)
    try:
        active = services.heads_rollback(actor=request.user)
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Rolled back to version %(n)s.") % {"n": active.number}
            if active
            else _("Rolled back to the shipped model."),
        )
    return redirect("supervision:model")


@login_required
def run_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _admin_or_404(request)
    run = selectors.retrain_runs_for(user=request.user).filter(pk=pk).first()
    if run is None:
        raise Http404
    template = "supervision/_run.html" if request.htmx else "supervision/run.html"
    return render(request, template, {"run": run})
