"""Pages for reporters (report a post, my reports) and for triagers (queue, detail, actions)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from chorus.common.errors import DomainError, NotFound
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest
from chorus.reports import selectors, services
from chorus.reports.forms import (
    CATEGORY_HELP,
    AnswerForm,
    NoteForm,
    QuestionForm,
    QueueFilterForm,
    ReportForm,
    RoutingRuleForm,
    TransitionForm,
)
from chorus.reports.models import (
    ALLOWED_TRANSITIONS,
    DEFAULT_SLA_HOURS,
    Category,
    Report,
    ReportEvent,
)


def _get_report(request: AuthedRequest, pk: int) -> Report:
    try:
        return selectors.report_get_for(user=request.user, report_id=pk)
    except NotFound:
        raise Http404("No such report.") from None


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    """The employee's own (named) reports, their outcomes and open questions."""
    submissions = list(selectors.submission_list_for_reporter(user=request.user))
    rows = [
        {
            "s": s,
            "timeline": selectors.reporter_timeline(submission=s),
            "answer_form": AnswerForm(prefix=f"s{s.pk}"),
        }
        for s in submissions
    ]
    return render(
        request,
        "reports/mine.html",
        {
            "rows": rows,
            "can_triage": selectors.can_triage(request.user),
        },
    )


@login_required
def create(request: AuthedRequest) -> HttpResponse:
    """Report a concerning post. Anonymous reports get their key on the response page, once."""
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.report_submit(
                organization=request.user.org,
                reporter=request.user,
                url=data["url"],
                network=data["network"] or None,
                category=data["category"],
                description=data["description"],
                post_text=data["post_text"],
                anonymous=data["anonymous"],
                screenshots=data["screenshots"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if result.key:
                # Rendered, not redirected: the key must not travel in a URL or a session.
                response = render(
                    request,
                    "reports/submitted_anonymous.html",
                    {"key": result.key, "merged": result.merged,
                     "receipt": _key_receipt(request, result.key)},
                )
                response["Cache-Control"] = "no-store"
                return response
            messages.success(
                request,
                "Thank you. Your report was sent"
                + (" and joined others about the same post." if result.merged else ".")
                + " You will see the outcome here.",
            )
            return redirect("reports:mine")
    categories = [{"value": c.value, "label": c.label, "help": CATEGORY_HELP[c]} for c in Category]
    return render(
        request,
        "reports/create.html",
        {"form": form, "categories": categories},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def answer(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        submission = selectors.submission_get_for_reporter(user=request.user, submission_id=pk)
    except NotFound:
        raise Http404("No such report.") from None
    form = AnswerForm(request.POST, prefix=f"s{pk}")
    if form.is_valid():
        try:
            services.submission_answer(
                submission=submission, text=form.cleaned_data["answer"], reporter=request.user
            )
            messages.success(request, "Your answer was sent to the team.")
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "Write an answer before sending.")
    return redirect("reports:mine")


@login_required
def queue(request: AuthedRequest) -> HttpResponse:
    """The triage queue: open reports first, by due time; filters and SLA badges."""
    if not selectors.can_triage(request.user):
        messages.info(request, "The report queue is for HR, legal and routing teams.")
        return redirect("reports:mine")
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = "open"
    filters = QueueFilterForm(params)
    filters.is_valid()
    f = filters.cleaned_data
    reports = selectors.report_list_for(
        user=request.user,
        status=f.get("status") or None,
        category=f.get("category") or None,
        network=f.get("network") or None,
        sla=f.get("sla") or None,
        mine=bool(f.get("mine")),
    )
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    counts = selectors.queue_counts_for(user=request.user)
    return render(
        request,
        "reports/queue.html",
        {
            "filters": filters,
            "page": page,
            "counts": counts,
            "can_configure": services.can_configure(request.user),
        },
    )


def _incident_url(report: Report) -> str | None:
    if not report.incident_ref:
        return None
    try:
        return reverse("incidents:incident-detail", args=[report.incident_ref])
    except NoReverseMatch:
        return None


def _key_receipt(request: AuthedRequest, key: str) -> str:
    """The downloadable receipt: the key and where to use it, nothing about the report."""
    url = request.build_absolute_uri(reverse("reports_public:follow-up"))
    return (
        "Chorus anonymous report key\n\n"
        f"Key: {key}\n\n"
        f"Follow up (read updates, answer questions) at {url}\n"
        "No sign-in is needed. Keep this file somewhere private: anyone with the key can "
        "read the report's updates. The key cannot be recovered if you lose it.\n"
    )


@login_required
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    report = _get_report(request, pk)
    submissions = list(selectors.report_submissions(report=report))
    events = list(selectors.report_events(report=report))
    conversations: dict[int, list[ReportEvent]] = {}
    for event in events:
        if event.submission_id and event.kind in (
            ReportEvent.Kind.QUESTION,
            ReportEvent.Kind.ANSWER,
        ):
            conversations.setdefault(event.submission_id, []).append(event)
    next_statuses = [Report.Status(s) for s in sorted(ALLOWED_TRANSITIONS[report.status])]
    # Anonymous reporters: staff see only the day of what they did (and of the automatic steps
    # in the same minute), so a time cannot be matched to someone's signed-in activity.
    anonymous_times = [s.created_at for s in submissions if s.anonymous]
    coarse_events = {
        e.pk for e in events
        if e.actor_id is None and (
            any(abs((e.created_at - t).total_seconds()) <= 60 for t in anonymous_times)
            or (e.kind == ReportEvent.Kind.ANSWER and e.submission_id in
            {s.pk for s in submissions if s.anonymous})
        )
    }
    opened_anonymously = bool(submissions) and min(
        submissions, key=lambda s: s.created_at).anonymous
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "coarse_events": coarse_events,
            "opened_anonymously": opened_anonymously,
            "sla": report.sla_state(),
            "submissions": [
                {
                    "s": s,
                    "conversation": conversations.get(s.pk, []),
                    "form": QuestionForm(initial={"submission": s.pk}, prefix=f"q{s.pk}"),
                }
                for s in submissions
            ],
            "events": events,
            "next_statuses": next_statuses,
            "transition_form": TransitionForm(),
            "note_form": NoteForm(),
            "is_legal": request.user.has_role("legal"),
            "incidents_available": services.incidents_available(),
            "incident_url": _incident_url(report),
        },
    )


def _report_action(request: AuthedRequest, pk: int, action: Any, success: str) -> HttpResponse:
    report = _get_report(request, pk)
    try:
        action(report)
        messages.success(request, success)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("reports:detail", pk=report.pk)


@login_required
@require_POST
def transition(request: AuthedRequest, pk: int) -> HttpResponse:
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the next status.")
        return redirect("reports:detail", pk=pk)
    data = form.cleaned_data
    label = Report.Status(data["to"]).label.lower()
    return _report_action(
        request,
        pk,
        lambda r: services.report_transition(
            report=r,
            actor=request.user,
            to=data["to"],
            reason=data["reason"],
            outcome=data["outcome"],
        ),
        f"Report moved to {label}.",
    )


@login_required
@require_POST
def ask(request: AuthedRequest, pk: int) -> HttpResponse:
    report = _get_report(request, pk)
    submission_id = request.POST.get("submission", "")
    form = (
        QuestionForm(request.POST, prefix=f"q{submission_id}") if submission_id.isdigit() else None
    )
    if form is None or not form.is_valid():
        messages.error(request, "Write a question before sending.")
        return redirect("reports:detail", pk=pk)
    submission = report.submissions.filter(pk=form.cleaned_data["submission"]).first()
    if submission is None:
        raise Http404("No such submission.")
    return _report_action(
        request,
        pk,
        lambda r: services.report_ask(
            report=r,
            submission=submission,
            actor=request.user,
            question=form.cleaned_data["question"],
        ),
        "Question sent to the reporter.",
    )


def _note(request: AuthedRequest) -> str:
    form = NoteForm(request.POST)
    return form.cleaned_data["note"] if form.is_valid() else ""


@login_required
@require_POST
def legal_review(request: AuthedRequest, pk: int) -> HttpResponse:
    note = _note(request)
    return _report_action(
        request,
        pk,
        lambda r: services.report_record_legal_review(report=r, actor=request.user, note=note),
        "Legal review recorded.",
    )


@login_required
@require_POST
def open_incident(request: AuthedRequest, pk: int) -> HttpResponse:
    return _report_action(
        request,
        pk,
        lambda r: services.report_open_incident(report=r, actor=request.user),
        "Incident opened from this report.",
    )


@login_required
@require_POST
def request_advocacy(request: AuthedRequest, pk: int) -> HttpResponse:
    note = _note(request)
    return _report_action(
        request,
        pk,
        lambda r: services.report_request_advocacy(report=r, actor=request.user, note=note),
        "Communications were asked to respond.",
    )


@login_required
def evidence(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """Serve one screenshot after checking access; every view is audited."""
    try:
        item = selectors.evidence_get_for(user=request.user, evidence_id=pk)
    except NotFound:
        raise Http404("No such file.") from None
    services.evidence_open(evidence=item, actor=request.user)
    response = FileResponse(item.file.open("rb"), content_type=item.mime)
    response["Content-Disposition"] = f'inline; filename="evidence-{item.pk}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def routing(request: AuthedRequest) -> HttpResponse:
    """Routing rules per category: team, lead and SLA. HR and administrators edit them."""
    if not services.can_configure(request.user):
        raise Http404("No such page.")
    org_id = request.user.org_id
    rules = {r.category: r for r in selectors.routing_rules_for(organization_id=org_id)}
    forms_by_category = {}
    for category in Category:
        rule = rules.get(category.value)
        bound = request.method == "POST" and request.POST.get("category") == category.value
        initial = (
            {"team": list(rule.team.all()), "lead": rule.lead, "sla_hours": rule.sla_hours}
            if rule
            else {"sla_hours": DEFAULT_SLA_HOURS[category]}
        )
        form = RoutingRuleForm(
            request.POST if bound else None,
            initial=initial,
            organization_id=org_id,
            prefix=category.value,
        )
        if bound and form.is_valid():
            try:
                services.routing_rule_save(
                    organization=request.user.org,
                    actor=request.user,
                    category=category.value,
                    team=form.cleaned_data["team"],
                    lead=form.cleaned_data["lead"],
                    sla_hours=form.cleaned_data["sla_hours"],
                )
                messages.success(request, f"Routing for “{category.label}” saved.")
                return redirect("reports:routing")
            except DomainError as exc:
                add_domain_error(form, exc)
        forms_by_category[category.value] = {"category": category, "rule": rule, "form": form}
    return render(request, "reports/routing.html", {"rules": forms_by_category.values()})
