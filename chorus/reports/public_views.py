"""The report-key page: anonymous reporters read progress and answer questions, no account.

The key travels only in POST bodies (never in a URL, a cookie or the session), so it does not
end up in logs, browser history or a session row that a signed-in user also owns. Wrong keys
are limited per client (`chorus.reports.key_attempts`), so keys cannot be guessed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from chorus.common.errors import DomainError
from chorus.reports import selectors, services
from chorus.reports.forms import AnswerForm, KeyForm
from chorus.reports.key_attempts import (
    WINDOW_SECONDS,
    key_attempt_failed,
    key_attempts_exhausted,
)


@never_cache
@csrf_protect
def follow_up(request: HttpRequest) -> HttpResponse:
    """GET: ask for the key. POST with `key`: show that report; with `answer` too: send it.
    A client that used up its wrong keys gets a 429 page, and nothing is looked up or written."""
    if key_attempts_exhausted(request):
        response = render(request, "reports/public_too_many.html",
                          {"minutes": WINDOW_SECONDS // 60}, status=429)
        response["Retry-After"] = str(WINDOW_SECONDS)
        return response
    if request.method != "POST":
        return render(request, "reports/public_key.html", {"form": KeyForm()})
    form = KeyForm(request.POST)
    if not form.is_valid():
        return render(request, "reports/public_key.html", {"form": form}, status=422)
    key = form.cleaned_data["key"]
    submission = selectors.submission_for_key(key=key)
    if submission is None:
        key_attempt_failed(request)
        form.add_error(
            "key",
            "No report matches this key. Check it for typos (letters and "
            "digits, in four groups of five); it is the key you were shown "
            "after sending your report.",
        )
        # A form error, not a missing page: 422 with the message (issue 17).
        return render(request, "reports/public_key.html", {"form": form}, status=422)
    answer_form = AnswerForm()
    sent = False
    contact_error, contact_saved = "", False
    if "contact_email" in request.POST:
        try:
            services.submission_set_contact(submission=submission,
                                            contact_email=request.POST["contact_email"])
            contact_saved = True
        except DomainError as exc:
            contact_error = exc.message
    if "answer" in request.POST:
        answer_form = AnswerForm(request.POST)
        if answer_form.is_valid():
            try:
                services.submission_answer(
                    submission=submission, text=answer_form.cleaned_data["answer"]
                )
                sent, answer_form = True, AnswerForm()
            except DomainError as exc:
                answer_form.add_error("answer", exc.message)
    report = submission.report
    timeline = selectors.reporter_timeline(submission=submission)
    has_question = any(row["kind"] == "question" for row in timeline)
    return render(
        request,
        "reports/public_status.html",
        {
            "submission": submission,
            "report": report,
            "org_name": report.organization.name,
            "timeline": timeline,
            "key": key,
            "answer_form": answer_form,
            "sent": sent,
            "can_answer": has_question and report.status != report.Status.CLOSED,
            "contact_error": contact_error,
            "contact_saved": contact_saved,
        },
        status=422 if answer_form.errors or contact_error else 200,
    )
