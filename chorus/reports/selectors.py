"""Reads for reports: who may triage, the queue, a report, a reporter's own submissions.

Permission scoping lives here only. A triager is anyone with the HR or legal role, or on a
routing rule's team or lead. HR and legal see every report of their organization; team members
see the reports routed to their rules or assigned to them. Nobody ever sees a report that names
them (`excluded_users`), whatever their role.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from chorus.common.errors import NotFound, PermissionDenied
from chorus.reports.models import Evidence, Report, ReportEvent, RoutingRule, Submission

TRIAGE_ROLES = ("hr", "legal")


def can_triage(user: Any) -> bool:
    """True if the user works the report queue (HR, legal, or on a routing team)."""
    if not getattr(user, "is_authenticated", False) or not user.organization_id:
        return False
    cached = getattr(user, "_can_triage_reports", None)
    if cached is None:
        cached = (
            any(user.has_role(r) for r in TRIAGE_ROLES)
            or RoutingRule.objects.filter(
                Q(team=user) | Q(lead=user), organization_id=user.organization_id
            ).exists()
        )
        user._can_triage_reports = cached
    return cached


def _visible_reports(user: Any) -> QuerySet[Report]:
    reports = Report.objects.filter(organization_id=user.organization_id).exclude(
        excluded_users=user
    )
    if not any(user.has_role(r) for r in TRIAGE_ROLES):
        routed = Report.objects.filter(
            Q(assignee=user) | Q(rule__team=user) | Q(rule__lead=user),
            organization_id=user.organization_id,
        ).values("pk")
        reports = reports.filter(pk__in=routed)
    return reports


def report_list_for(
    *,
    user: Any,
    status: str | None = None,
    category: str | None = None,
    network: str | None = None,
    sla: str | None = None,
    mine: bool = False,
) -> QuerySet[Report]:
    """Reports this user may triage, most urgent first (open before decided, earliest due)."""
    if not can_triage(user):
        raise PermissionDenied("Only HR, legal and the routing teams can see the report queue.")
    reports = _visible_reports(user).select_related("assignee", "rule")
    if status == "open":
        reports = reports.filter(status__in=[Report.Status.NEW, Report.Status.TRIAGING])
    elif status:
        reports = reports.filter(status=status)
    if category:
        reports = reports.filter(category=category)
    if network:
        reports = reports.filter(network=network)
    if mine:
        reports = reports.filter(assignee=user)
    now = timezone.now()
    open_q = Q(status__in=[Report.Status.NEW, Report.Status.TRIAGING])
    if sla == "overdue":
        reports = reports.filter(open_q, due_at__lte=now)
    elif sla == "due_soon":
        # The due-soon window depends on each report's own SLA, so it is decided per row; only
        # open, not yet overdue reports are read, which the queue keeps small.
        candidates = (
            reports.filter(open_q, due_at__gt=now)
            .select_related(None)
            .only("pk", "status", "due_at", "sla_hours")
        )
        reports = reports.filter(
            pk__in=[r.pk for r in candidates if r.sla_state(now) == "due_soon"]
        )
    # A report opened anonymously shows staff only the day it arrived (and is due), so its
    # time cannot be matched to the reporter's signed-in activity (see the detail page).
    first_anonymous = Subquery(
        Submission.objects.filter(report=OuterRef("pk")).order_by("created_at", "pk")
        .values("anonymous")[:1]
    )
    return reports.annotate(opened_anonymously=first_anonymous).order_by(
        "decided_at", "due_at", "-pk"
    )


def report_get_for(*, user: Any, report_id: int) -> Report:
    """One report this user may triage, or NotFound (also for other organizations)."""
    if not can_triage(user):
        raise NotFound("No such report.")
    try:
        return (
            _visible_reports(user)
            .select_related(
                "assignee",
                "rule",
                "rule__lead",
                "subject",
                "legal_review_by",
                "advocacy_requested_by",
            )
            .get(pk=report_id)
        )
    except Report.DoesNotExist:
        raise NotFound("No such report.") from None


def user_can_handle(user: Any, report: Report) -> bool:
    return can_triage(user) and _visible_reports(user).filter(pk=report.pk).exists()


def report_submissions(*, report: Report) -> QuerySet[Submission]:
    return report.submissions.select_related("reporter").prefetch_related("evidence")


def report_events(*, report: Report) -> QuerySet[ReportEvent]:
    return report.events.select_related("actor", "submission")


def submission_list_for_reporter(*, user: Any) -> QuerySet[Submission]:
    """The user's own named submissions (anonymous ones are, by design, not linked to them)."""
    if not getattr(user, "is_authenticated", False):
        return Submission.objects.none()
    return (
        Submission.objects.filter(reporter=user, organization_id=user.organization_id)
        .select_related("report")
        .prefetch_related("evidence")
        .order_by("-created_at")
    )


def submission_get_for_reporter(*, user: Any, submission_id: int) -> Submission:
    try:
        return submission_list_for_reporter(user=user).get(pk=submission_id)
    except Submission.DoesNotExist:
        raise NotFound("No such report.") from None


def key_hash(key: str) -> str:
    # Keys are typed by people: ignore case, spaces and dashes they may add or drop.
    cleaned = "".join(ch for ch in key.upper() if ch.isalnum())
    return hashlib.sha256(cleaned.encode()).hexdigest()


def submission_for_key(*, key: str) -> Submission | None:
    """The anonymous submission a report key opens, or None."""
    if not key or len(key) > 100:
        return None
    return (
        Submission.objects.filter(key_hash=key_hash(key), anonymous=True)
        .select_related("report")
        .prefetch_related("evidence")
        .first()
    )


def reporter_timeline(*, submission: Submission) -> list[dict[str, Any]]:
    """What a reporter may see: progress of the case, the outcome, and their own conversation.
    Internal reasons, other reporters and the handlers' names stay out."""
    rows: list[dict[str, Any]] = [
        {"at": submission.created_at, "kind": "created", "text": "We received your report."}
    ]
    labels: dict[str, str] = {
        Report.Status.TRIAGING: "Your report is being reviewed.",
        Report.Status.ACTIONED: "A decision was taken: action was taken.",
        Report.Status.NO_ACTION: "A decision was taken: no action was needed.",
        Report.Status.CLOSED: "The case was closed.",
    }
    events = submission.report.events.filter(
        Q(kind=ReportEvent.Kind.STATUS, created_at__gte=submission.created_at)
        | Q(kind__in=[ReportEvent.Kind.QUESTION, ReportEvent.Kind.ANSWER], submission=submission)
    )
    for event in events:
        if event.kind == ReportEvent.Kind.STATUS:
            rows.append(
                {
                    "at": event.created_at,
                    "kind": event.to_status,
                    "text": labels.get(event.to_status, event.to_status),
                }
            )
        else:
            rows.append({"at": event.created_at, "kind": event.kind, "text": event.note})
    return rows


def evidence_get_for(*, user: Any, evidence_id: int) -> Evidence:
    """A screenshot the user may see: a triager of its report, or the named reporter."""
    try:
        evidence = Evidence.objects.select_related("submission", "submission__report").get(
            pk=evidence_id, organization_id=user.organization_id
        )
    except Evidence.DoesNotExist:
        raise NotFound("No such file.") from None
    if evidence.submission.reporter_id == user.pk and not evidence.submission.anonymous:
        return evidence
    if user_can_handle(user, evidence.submission.report):
        return evidence
    raise NotFound("No such file.")


def queue_counts_for(*, user: Any) -> dict[str, int]:
    """Counts for the dashboard card: open, overdue, due soon, assigned to the user."""
    now = timezone.now()
    open_reports = _visible_reports(user).filter(
        status__in=[Report.Status.NEW, Report.Status.TRIAGING]).order_by()
    # Counted in the database (a large organization has tens of thousands open). The due-soon
    # window depends on each report's SLA (`Report.sla_state`): one condition per distinct SLA.
    due_soon = Q(pk__in=[])
    for hours in open_reports.values_list("sla_hours", flat=True).distinct():
        window = max(timedelta(hours=1), timedelta(hours=hours) / 4)
        due_soon |= Q(sla_hours=hours, due_at__gt=now, due_at__lte=now + window)
    counts = open_reports.aggregate(
        open=Count("pk"),
        new=Count("pk", filter=Q(status=Report.Status.NEW)),
        overdue=Count("pk", filter=Q(due_at__lte=now)),
        due_soon=Count("pk", filter=due_soon),
        mine=Count("pk", filter=Q(assignee_id=user.pk)),
    )
    return {key: int(value or 0) for key, value in counts.items()}


def advocacy_requests_for(*, user: Any) -> QuerySet[Report]:
    """Reports where triage asked communications for a response (e.g. a crisis). No reporter
    identity is exposed: communications sees the post, the category and the triager's note."""
    return (
        Report.objects.filter(
            organization_id=user.organization_id, advocacy_requested_at__isnull=False
        )
        .exclude(status=Report.Status.CLOSED)
        .exclude(excluded_users=user)
        .select_related("advocacy_requested_by")
        .order_by("-advocacy_requested_at")
    )


def routing_rules_for(*, organization_id: int) -> QuerySet[RoutingRule]:
    return (
        RoutingRule.objects.filter(organization_id=organization_id)
        .select_related("lead")
        .prefetch_related("team")
        .annotate(
            open_count=Count(
                "reports", filter=Q(reports__status__in=[Report.Status.NEW, Report.Status.TRIAGING])
            )
        )
    )
