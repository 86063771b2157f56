"""Employees acknowledging the policy: their own status, attesting while logged in, and the
public signed personal link (/a/<token>)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from chorus.common.errors import DomainError, NotFound
from chorus.common.types import AuthedRequest
from chorus.onboarding import selectors, services
from chorus.onboarding.models import Assignment, Attestation

# --- Employees: own status and attesting ----------------------------------------------------


@login_required
def me(request: AuthedRequest) -> HttpResponse:
    status = selectors.my_status(user=request.user)
    now = timezone.now()
    return render(request, "onboarding/me.html", {
        "status": status, "open_rows": [(a, a.display_status(now)) for a in status.open]})


def _attest_context(assignment: Assignment, *, answers: dict[int, int] | None = None,
                    wrong: list[int] | None = None,
                    unanswered: list[int] | None = None) -> dict[str, Any]:
    # Employees and candidates see what changed in the text they read, never the screening
    # configuration (entity lists, thresholds): chorus.policy.visibility decides what is shown.
    from chorus.policy.documents import document_outline
    from chorus.policy.visibility import employee_diff

    version = assignment.version
    check = selectors.knowledge_check_for(version=version)
    diff = (employee_diff(assignment.previous_version, version)
            if assignment.previous_version_id else None)
    # With each question, what the person chose, kept when the page comes back with an error.
    questions = [(q, (answers or {}).get(q.pk)) for q in (check.questions.all() if check else [])]
    problems = [q.pk for q, _ in questions if q.pk in set(wrong or []) | set(unanswered or [])]
    return {
        "assignment": assignment, "version": version, "text": version.plain_text(),
        # The same formatted document as /policies/current/, so the reader sees what they
        # attest to as it is meant to be read.
        "outline": document_outline(version.document),
        "unanswered": set(unanswered or []), "first_problem": problems[0] if problems else None,
        "statement": services.acknowledgment_statement(version), "diff": diff,
        "check": check, "questions": questions, "answers": answers or {},
        "wrong": set(wrong or []),
    }


def _read_answers(request: HttpRequest) -> dict[int, int]:
    answers = {}
    for key in request.POST:
        value = request.POST.get(key, "")
        if key.startswith("q-") and key[2:].isdigit() and value.isdigit():
            answers[int(key[2:])] = int(value)
    return answers


def _attest_post(request: HttpRequest, assignment: Assignment, *, channel: str,
                 link: Any = None) -> tuple[Attestation | None, dict[str, Any]]:
    answers = _read_answers(request)
    try:
        attestation = services.attestation_create(
            assignment=assignment, channel=channel,
            content_hash=request.POST.get("content_hash", ""),
            confirmed=request.POST.get("confirm") == "yes", answers=answers,
            user=request.user if request.user.is_authenticated else None, link=link,
            read_stated=request.POST.get("read_to_end") == "yes")
    except services.QuizNotPassed as exc:
        context = _attest_context(assignment, answers=answers, wrong=exc.wrong,
                                  unanswered=exc.unanswered)
        message = exc.message
    except DomainError as exc:
        assignment.refresh_from_db()
        context = _attest_context(assignment, answers=answers)
        context["error_field"], message = exc.field, exc.message
    else:
        return attestation, {}
    # What the person already did stays done: their tick and their answers.
    context.update(error=message, confirmed=request.POST.get("confirm") == "yes",
                   read_stated=request.POST.get("read_to_end") == "yes")
    return None, context
    return attestation, {}


@login_required
@require_POST
def attest_read(request: AuthedRequest, assignment_id: int) -> HttpResponse:
    """The attestation page's script reports that the reader reached the end of the text."""
    try:
        assignment = selectors.assignment_get_for_attesting(user=request.user,
                                                            assignment_id=assignment_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    services.assignment_mark_read(assignment=assignment)
    return HttpResponse(status=204)


@require_POST
def public_attest_read(request: HttpRequest, token: str) -> HttpResponse:
    """The same for the personal link (no account): the signed token names the request."""
    try:
        link = services.attestation_link_resolve(token)
    except services.LinkProblem:
        raise Http404("This link does not work.") from None
    services.assignment_mark_read(assignment=link.assignment)
    return HttpResponse(status=204)


@login_required
def attest(request: AuthedRequest, assignment_id: int) -> HttpResponse:
    try:
        assignment = selectors.assignment_get_for_attesting(user=request.user,
                                                            assignment_id=assignment_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    if assignment.status == Assignment.Status.DONE:
        messages.info(request, "You already acknowledged this version.")
        return redirect("onboarding:me")
    if request.method == "POST":
        attestation, context = _attest_post(request, assignment,
                                            channel=Attestation.Channel.SESSION)
        if attestation is not None:
            messages.success(request, f"Thank you. Your acknowledgment of version "
                             f"{attestation.version_number} is recorded.")
            return redirect("onboarding:me")
        return render(request, "onboarding/attest.html", {**context, "public": False},
                      status=422)
    return render(request, "onboarding/attest.html",
                  {**_attest_context(assignment), "public": False})

# --- Public: the personal link -------------------------------------------------------------

LINK_PROBLEMS = {
    "tampered": ("This link does not work",
                 "The link is incomplete or was changed. Copy the whole link from the e-mail, "
                 "or ask HR for a new one."),
    "expired": ("This link has expired",
                "Personal links work for a limited time to protect you. Ask HR (or reply to the "
                "e-mail) for a new link."),
    "used": ("This link was already used",
             "Your acknowledgment is recorded; there is nothing more to do. If that was not "
             "you, tell HR."),
    "closed": ("This request is closed",
               "HR closed this request, so there is nothing to acknowledge."),
}


def public_attest(request: HttpRequest, token: str) -> HttpResponse:
    """The signed personal link (no account). A bad link gets a clear page and writes nothing."""
    try:
        link = services.attestation_link_resolve(token)
    except services.LinkProblem as exc:
        title, text = LINK_PROBLEMS[exc.kind]
        return render(request, "onboarding/link_problem.html",
                      {"title": title, "text": text, "kind": exc.kind},
                      status=400 if exc.kind == "tampered" else 410)
    assignment = link.assignment
    if request.method == "POST":
        attestation, context = _attest_post(request, assignment,
                                            channel=Attestation.Channel.LINK, link=link)
        if attestation is not None:
            return render(request, "onboarding/attested.html",
                          {"attestation": attestation, "organization":
                           assignment.person.organization})
        return render(request, "onboarding/attest.html",
                      {**context, "public": True, "token": token}, status=422)
    return render(request, "onboarding/attest.html",
                  {**_attest_context(assignment), "public": True, "token": token})
