from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chorus.checks.forms import AnswerForm, CheckForm, ImageCheckForm, ReviewRequestForm
from chorus.checks.images import image_check_get, image_check_upload
from chorus.checks.models import ImageCheck
from chorus.checks.presentation import present
from chorus.checks.selectors import review_request_get, review_request_list_for
from chorus.checks.services import (
    review_request_answer,
    review_request_create,
    screen_text,
    screening_policy,
)
from chorus.common.errors import DomainError, NotFound
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest


def _result_context(request: AuthedRequest, text: str, network: str) -> dict:
    organization = request.user.org
    result = screen_text(organization=organization, text=text, network=network or None)
    return present(text, result, screening_policy(organization=organization))


@login_required
def check(request: AuthedRequest) -> HttpResponse:
    """The "check my post" page. The text is screened and shown, never stored."""
    form = ReviewRequestForm()
    posture = None
    if apps.is_installed("chorus.posture"):
        from chorus.posture.services import banner_context

        posture = banner_context(organization=request.user.org)
    return render(request, "checks/check.html",
                  {"form": form, "result": None, "posture": posture,
                   "image_form": ImageCheckForm()})


@login_required
@require_POST
def check_preview(request: AuthedRequest) -> HttpResponse:
    """HTMX endpoint: the highlighted text and findings for the current draft."""
    form = CheckForm(request.POST)
    if not form.is_valid():
        return render(request, "checks/_result.html", {"error": form.errors.as_text()}, status=200)
    text = form.cleaned_data["text"]
    if not text.strip():
        return render(request, "checks/_result.html", {"empty": True})
    try:
        context = _result_context(request, text, form.cleaned_data["network"])
    except DomainError as exc:
        return render(request, "checks/_result.html", {"error": exc.message})
    return render(request, "checks/_result.html", context)


@login_required
@require_POST
def review_request_submit(request: AuthedRequest) -> HttpResponse:
    form = ReviewRequestForm(request.POST)
    if form.is_valid():
        try:
            review_request_create(
                author=request.user,
                text=form.cleaned_data["text"],
                network=form.cleaned_data["network"],
                question=form.cleaned_data["question"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, "Sent for review. You will see the answer on your review requests."
            )
            return redirect("checks:review-list")
    return render(request, "checks/check.html", {"form": form}, status=422)


@login_required
def review_list(request: AuthedRequest) -> HttpResponse:
    reviewer = request.user.has_role("communications") or request.user.has_role("legal")
    requests = review_request_list_for(user=request.user)
    return render(
        request, "checks/review_list.html", {"requests": requests[:200], "reviewer": reviewer}
    )


@login_required
def review_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        review = review_request_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review_request_answer(
                request=review,
                reviewer=request.user,
                status=form.cleaned_data["status"],
                answer=form.cleaned_data["answer"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Answer sent to the author.")
            return redirect("checks:review-list")
    policy = screening_policy(organization=request.user.organization)
    from chorus.screening import Post, screener_for

    result = screener_for(policy).check(Post(id=str(review.pk), text=review.text))
    can_answer = (
        review.status == "open"
        and review.author_id != request.user.pk
        and (request.user.has_role("communications") or request.user.has_role("legal"))
    )
    return render(
        request,
        "checks/review_detail.html",
        {
            "review": review,
            "form": form,
            "can_answer": can_answer,
            "result": present(review.text, result, policy),
        },
    )


def _image_context(record: ImageCheck) -> dict:
    findings = (record.result or {}).get("findings", [])
    boxes_by_finding = {r["finding"]: r["boxes"] for r in record.regions or []}
    items = []
    for index, finding in enumerate(findings):
        level = {"critical": "block", "high": "block", "medium": "warn"}.get(
            finding.get("severity", ""), "info")
        items.append({"n": index + 1, "f": finding, "level": level,
                      "boxes": boxes_by_finding.get(index, [])})
    return {"image": record, "items": items,
            "protected": "protected_activity" in (record.result or {}).get("signals", [])}


@login_required
@require_POST
def image_upload(request: AuthedRequest) -> HttpResponse:
    """Accept an image for OCR; the worker reads it and the fragment polls for progress."""
    form = ImageCheckForm(request.POST, request.FILES)
    form.is_valid()
    try:
        record = image_check_upload(
            user=request.user, upload=request.FILES.get("image"),
            language=form.cleaned_data.get("language", "") if form.is_valid() else "",
            network=request.POST.get("network", "")[:30],
        )
    except DomainError as exc:
        template = "checks/_image_status.html" if request.htmx else "checks/image_detail.html"
        return render(request, template, {"error": exc.message}, status=422)
    if not request.htmx:
        return redirect("checks:image-status", pk=record.pk)
    return render(request, "checks/_image_status.html", _image_context(record), status=202)


@login_required
def image_status(request: AuthedRequest, pk: int) -> HttpResponse:
    """The image check's progress (polled while the worker reads) or its findings."""
    try:
        record = image_check_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    template = "checks/_image_status.html" if request.htmx else "checks/image_detail.html"
    return render(request, template, _image_context(record))


@login_required
def image_file(request: AuthedRequest, pk: int) -> HttpResponse:
    """The cleaned picture, only to its uploader (never from MEDIA_URL)."""
    try:
        record = image_check_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    if not record.file:
        raise Http404
    with record.file.open("rb") as handle:
        data = handle.read()
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
