from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chorus.checks.forms import AnswerForm, CheckForm, ReviewRequestForm
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
                  {"form": form, "result": None, "posture": posture})


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
