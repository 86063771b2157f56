"""Writes for reports: submitting (and merging), routing, triage, escalation, follow-up.

Guarantees:
- Reports of one post (same normalized URL, same organization) join one open case.
- An anonymous submission stores no reporter identity: no user id in the submission, its
  events or the audit trail; the reporter's key is shown once and only its SHA-256 is kept.
- Every status change, escalation, question, legal review and evidence view leaves an event
  row and/or an audit entry inside the same transaction.
- A report that may be protected activity (or could not be screened) cannot open an incident
  (discipline) before a legal-role user records a legal review.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput, PermissionDenied
from chorus.common.uploads import validate_image
from chorus.people.models import Organization, Person, User
from chorus.reports.links import detect_network, normalize_url, validate_report_url
from chorus.reports.models import (
    ALLOWED_TRANSITIONS,
    DEFAULT_SLA_HOURS,
    Category,
    Evidence,
    Network,
    Report,
    ReportEvent,
    RoutingRule,
    Submission,
)
from chorus.reports.selectors import key_hash, user_can_handle

ANONYMOUS = "anonymous reporter"  # the audit actor label for anonymous writes: never a user
MAX_SCREENSHOTS = 5
MAX_DESCRIPTION = 5000
KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: keys are copied by hand


class ReportError(Conflict):
    """The report's state forbids the operation."""


@dataclass(frozen=True)
class SubmitResult:
    submission: Submission
    report: Report
    merged: bool
    key: str | None  # the anonymous report key, shown once; never stored


# --- helpers -------------------------------------------------------------------------------


def _generate_key() -> str:
    # 20 symbols of a 32-letter alphabet: 100 bits, far beyond guessing through the key page.
    raw = "".join(secrets.choice(KEY_ALPHABET) for _ in range(20))
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


def _clean_text(value: str, *, field: str, label: str, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"Describe {label}: what you saw and why it concerns you.", field=field)
    if len(value) > MAX_DESCRIPTION:
        raise InvalidInput(
            f"Keep {label} under {MAX_DESCRIPTION:,} characters (it is {len(value):,}).",
            field=field,
        )
    return value


def _resolve_network(url: str, network: str | None) -> str:
    detected = detect_network(url)
    if detected:
        return detected  # the link is authoritative over a hand-picked network
    if network and network in Network.values:
        return network
    if network:
        raise InvalidInput(
            f"“{network}” is not a network we know. Choose one from the list.", field="network"
        )
    raise InvalidInput(
        "We could not tell the network from this link. Choose it from the list "
        "(“Other website” for news sites, blogs and forums).",
        field="network",
    )


def screen_for_protected_activity(
    *, organization: Organization, texts: Iterable[str], network: str | None = None
) -> tuple[bool, bool]:
    """Screen texts with the organization's policy. Returns (screened, protected_activity).

    `screened` is False only when the screening app is not installed; such reports are treated
    as possibly protected (legal review before discipline).
    """
    if not apps.is_installed("chorus.checks"):
        return False, False
    from chorus.checks.services import screen_text

    protected = False
    for text in texts:
        if text and text.strip():
            result = screen_text(organization=organization, text=text, network=network)
            protected = protected or "protected_activity" in result.signals
    return True, protected


def _name_patterns(user: User) -> list[re.Pattern[str]]:
    """How a text can name this user: full name, e-mail, or the e-mail's local part as @handle."""
    patterns = [re.compile(re.escape(user.email), re.I)]
    local = user.email.split("@")[0]
    if len(local) >= 3:
        patterns.append(re.compile(r"(?<![\w@.])@" + re.escape(local) + r"\b", re.I))
    name = " ".join(user.full_name.split())
    if len(name.split()) >= 2:  # a lone first name is too common to route on
        patterns.append(re.compile(r"\b" + re.escape(name).replace(r"\ ", r"\s+") + r"\b", re.I))
    return patterns


def _named_in(user: User, haystack: str) -> bool:
    return any(p.search(haystack) for p in _name_patterns(user))


def _fallback_handlers(organization_id: int) -> list[User]:
    """HR, then legal (then administrators): who handles a report the team cannot."""
    users = list(
        User.objects.filter(
            organization_id=organization_id,
            is_active=True,
            groups__name__in=["hr", "legal", "admin"],
        )
        .distinct()
        .prefetch_related("groups")
    )
    order = {"hr": 0, "legal": 1, "admin": 2}
    return sorted(users, key=lambda u: (min(order.get(g.name, 9) for g in u.groups.all()), u.pk))


def _least_loaded(users: Sequence[User]) -> User | None:
    if not users:
        return None
    loads = dict(
        Report.objects.filter(
            assignee__in=users, status__in=[Report.Status.NEW, Report.Status.TRIAGING]
        )
        .values_list("assignee")
        .annotate(n=Count("pk"))
    )
    return min(users, key=lambda u: (loads.get(u.pk, 0), u.pk))


def _route(*, report: Report, texts: Iterable[str], actor: Any) -> None:
    """Assign the report to its category's team, around anyone the report names.

    Named people (the subject, or a handler whose name, e-mail or @handle appears in the
    description, post text or URL) are excluded from the report entirely. Preference: a team
    member (least open work), then the lead, then HR or legal outside the team.
    """
    haystack = "\n".join(t for t in texts if t)
    rule = report.rule
    candidates: list[User] = []
    if rule is not None:
        candidates = list(rule.team.filter(is_active=True).order_by("pk"))
        if rule.lead and rule.lead not in candidates:
            candidates.append(rule.lead)
    for user in _fallback_handlers(report.organization_id):
        if user not in candidates:
            candidates.append(user)
    named = {u for u in candidates if _named_in(u, haystack)}
    if report.subject is not None and report.subject.user is not None:
        named.add(report.subject.user)
    new_exclusions = [u for u in named if not report.excluded_users.filter(pk=u.pk).exists()]
    if new_exclusions:
        report.excluded_users.add(*new_exclusions)
    excluded = set(report.excluded_users.values_list("pk", flat=True))
    if report.assignee_id and report.assignee_id not in excluded:
        return  # already with someone who is not named: keep it there
    team = [
        u for u in (list(rule.team.filter(is_active=True)) if rule else []) if u.pk not in excluded
    ]
    assignee, how = _least_loaded(team), "team"
    if (
        assignee is None
        and rule
        and rule.lead
        and rule.lead_id not in excluded
        and rule.lead.is_active
    ):
        assignee, how = rule.lead, "lead"
    if assignee is None:
        fallback = [u for u in _fallback_handlers(report.organization_id) if u.pk not in excluded]
        assignee, how = (fallback[0] if fallback else None), "fallback"
    previous = report.assignee
    report.assignee = assignee
    if excluded:
        where = {"team": "to a team member", "lead": "to the lead"}.get(how, "to HR/legal")
        who = "person" if len(excluded) == 1 else "people"
        report.routing_note = f"Routed around {len(excluded)} named {who} ({where})."
    elif rule is None:
        report.routing_note = "No routing rule for this category: sent to HR."
    else:
        report.routing_note = ""
    if assignee is None:
        report.routing_note = (
            "Everyone who could handle this report is named in it. An "
            "administrator must assign it by hand."
        )
    report.save(update_fields=["assignee", "routing_note", "updated_at"])
    if assignee != previous:
        ReportEvent.objects.create(
            organization_id=report.organization_id,
            report=report,
            actor=None,
            kind=ReportEvent.Kind.ROUTED,
            note=(f"Assigned to {assignee}" if assignee else "Left unassigned")
            + (f" ({report.routing_note})" if report.routing_note else "."),
        )


def _notify(subject: str, body: str, recipients: Iterable[str]) -> None:
    recipients = sorted({r for r in recipients if r})
    if recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False)


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# --- submitting ----------------------------------------------------------------------------


def _open_or_merge(
    *,
    organization: Organization,
    url: str,
    network: str,
    category: str,
    source: str,
    subject: Person | None,
) -> tuple[Report, bool]:
    """The open case for this post, locked, or a new one. Safe against concurrent reports."""
    normalized = normalize_url(url)
    for _ in range(2):
        existing = (
            Report.objects.select_for_update()
            .filter(organization=organization, url_normalized=normalized)
            .exclude(status=Report.Status.CLOSED)
            .first()
        )
        if existing is not None:
            existing.submission_count += 1
            fields = ["submission_count", "updated_at"]
            if subject is not None and existing.subject_id is None:
                existing.subject = subject
                fields.append("subject")
            existing.save(update_fields=fields)
            return existing, True
        rule = RoutingRule.objects.filter(organization=organization, category=category).first()
        sla = rule.sla_hours if rule else DEFAULT_SLA_HOURS[Category(category)]
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    organization=organization,
                    url=url,
                    url_normalized=normalized,
                    network=network,
                    category=category,
                    source=source,
                    subject=subject,
                    rule=rule,
                    sla_hours=sla,
                    due_at=timezone.now() + timedelta(hours=sla),
                )
            return report, False
        except IntegrityError:
            continue  # someone opened the case a moment ago: merge into theirs
    raise Conflict("This post was reported at the same moment by someone else. Send it again.")


def _store_screenshots(*, submission: Submission, screenshots: Sequence[UploadedFile]) -> None:
    for upload in screenshots:
        mime = validate_image(upload, field="screenshots")
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        evidence = Evidence(
            organization_id=submission.organization_id,
            submission=submission,
            sha256=digest.hexdigest(),
            mime=mime,
            size=upload.size or 0,
            original_name=(upload.name or "")[:255],
        )
        evidence.file.save("screenshot", upload, save=False)
        evidence.save()


@transaction.atomic
def report_submit(
    *,
    organization: Organization,
    reporter: User,
    url: str,
    category: str,
    description: str,
    network: str | None = None,
    post_text: str = "",
    anonymous: bool = False,
    screenshots: Sequence[UploadedFile] = (),
) -> SubmitResult:
    """File an employee's report of a post; merge it into the open case for that post.

    Validates everything (URL, network, category, texts, every screenshot) before writing, so
    a bad file never leaves a half-saved report. Anonymous: no identity is stored anywhere and
    the returned `key` (shown once) is the only way back to the report.
    """
    url = validate_report_url(url)
    network = _resolve_network(url, network)
    if category not in Category.values:
        raise InvalidInput("Choose what kind of concern this is from the list.", field="category")
    description = _clean_text(description, field="description", label="the concern", required=True)
    post_text = _clean_text(post_text, field="post_text", label="the post's text", required=False)
    if len(screenshots) > MAX_SCREENSHOTS:
        raise InvalidInput(
            f"Attach at most {MAX_SCREENSHOTS} screenshots (you chose {len(screenshots)}).",
            field="screenshots",
        )
    for upload in screenshots:
        validate_image(upload, field="screenshots")

    report, merged = _open_or_merge(
        organization=organization,
        url=url,
        network=network,
        category=category,
        source=Report.Source.EMPLOYEE,
        subject=None,
    )
    key = _generate_key() if anonymous else None
    submission = Submission.objects.create(
        organization=organization,
        report=report,
        reporter=None if anonymous else reporter,
        anonymous=anonymous,
        key_hash=key_hash(key) if key else None,
        url=url,
        category=category,
        description=description,
        post_text=post_text,
    )
    _store_screenshots(submission=submission, screenshots=screenshots)
    _after_submission(
        report=report, submission=submission, merged=merged, actor=None if anonymous else reporter
    )
    audit_record(
        organization=organization,
        actor=ANONYMOUS if anonymous else reporter,
        action="reports.merged" if merged else "reports.submitted",
        target=report,
        data={
            "submission": submission.pk,
            "category": category,
            "anonymous": anonymous,
            "screenshots": len(screenshots),
        },
    )
    return SubmitResult(submission=submission, report=report, merged=merged, key=key)


def _after_submission(*, report: Report, submission: Submission, merged: bool, actor: Any) -> None:
    texts = [submission.description, submission.post_text]
    screened, protected = screen_for_protected_activity(
        organization=report.organization, texts=texts, network=report.network
    )
    fields = []
    if screened and not report.screened and not merged:
        report.screened = True
        fields.append("screened")
    if protected and not report.protected_activity:
        report.protected_activity = True
        fields.append("protected_activity")
    if fields:
        report.save(update_fields=[*fields, "updated_at"])
    ReportEvent.objects.create(
        organization_id=report.organization_id,
        report=report,
        submission=submission,
        actor=actor,
        kind=ReportEvent.Kind.MERGED if merged else ReportEvent.Kind.CREATED,
        note=(
            f"Reported again ({report.submission_count} reports of this post)."
            if merged
            else "Report received."
        ),
    )
    _route(report=report, texts=[*texts, submission.url], actor=actor)
    if merged and report.status in (Report.Status.ACTIONED, Report.Status.NO_ACTION):
        # The decision is already taken: tell this reporter too.
        transaction.on_commit(partial(_enqueue_outcome, report.pk))


def report_create_from_monitoring(
    *,
    organization: Organization,
    url: str,
    network: str,
    category: str,
    description: str,
    subject: Person | None = None,
) -> Report:
    """Put a monitoring finding in the report queue (merging with reports of the same post).

    Fixed interface used by `chorus.monitoring`. The finding becomes a submission without a
    reporter; routing, SLA and the protected-activity screen apply as for employee reports.
    """
    with transaction.atomic():
        url = validate_report_url(url)
        network = _resolve_network(url, network or None)
        if category not in Category.values:
            raise InvalidInput(f"Unknown report category “{category}”.", field="category")
        description = _clean_text(
            description, field="description", label="the finding", required=True
        )
        if subject is not None and subject.organization_id != organization.pk:
            raise InvalidInput("The subject belongs to another organization.", field="subject")
        report, merged = _open_or_merge(
            organization=organization,
            url=url,
            network=network,
            category=category,
            source=Report.Source.MONITORING,
            subject=subject,
        )
        submission = Submission.objects.create(
            organization=organization,
            report=report,
            reporter=None,
            anonymous=False,
            url=url,
            category=category,
            description=description,
        )
        _after_submission(report=report, submission=submission, merged=merged, actor=None)
        audit_record(
            organization=organization,
            actor=None,
            action="reports.merged" if merged else "reports.submitted",
            target=report,
            data={"submission": submission.pk, "category": category, "source": "monitoring"},
        )
        return report


# --- triage --------------------------------------------------------------------------------


def _require_handler(actor: User, report: Report) -> None:
    if not user_can_handle(actor, report):
        raise PermissionDenied("You cannot act on this report: it is not routed to you.")


@transaction.atomic
def report_transition(
    *, report: Report, actor: User, to: str, reason: str, outcome: str = ""
) -> Report:
    """Move the report to `to` if ALLOWED_TRANSITIONS permits, recording who and why.

    A decision (actioned / no action) needs an outcome for the reporters; named reporters
    are e-mailed it after commit, anonymous ones read it on their key page.
    """
    _require_handler(actor, report)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if to not in Report.Status.values:
        raise InvalidInput(f"“{to}” is not a report status.", field="to")
    if to not in ALLOWED_TRANSITIONS[report.status]:
        allowed = ", ".join(
            Report.Status(s).label for s in sorted(ALLOWED_TRANSITIONS[report.status])
        )
        raise ReportError(
            f"A {report.get_status_display().lower()} report cannot move to "
            f"{Report.Status(to).label.lower()}. "
            + (f"Next step: {allowed}." if allowed else "It is closed."),
            field="to",
        )
    reason = (reason or "").strip()
    if to == Report.Status.TRIAGING and not reason:
        reason = "Triage started."
    if not reason:
        raise InvalidInput("Say why (this is recorded in the report's history).", field="reason")
    decided = to in (Report.Status.ACTIONED, Report.Status.NO_ACTION)
    outcome = (outcome or "").strip()
    if decided and not outcome:
        raise InvalidInput(
            "Write the outcome the reporters will read (no names or confidential "
            "details, e.g. “The post was removed by the network.”).",
            field="outcome",
        )
    old = report.status
    report.status = to
    fields = ["status", "updated_at"]
    now = timezone.now()
    if decided:
        report.decided_at, report.outcome = now, outcome
        fields += ["decided_at", "outcome"]
    if to == Report.Status.CLOSED:
        report.closed_at = now
        fields.append("closed_at")
    if to == Report.Status.TRIAGING and report.assignee_id is None:
        report.assignee = actor
        fields.append("assignee")
    report.save(update_fields=fields)
    ReportEvent.objects.create(
        organization_id=report.organization_id,
        report=report,
        actor=actor,
        kind=ReportEvent.Kind.STATUS,
        from_status=old,
        to_status=to,
        note=reason,
    )
    audit_record(
        organization=report.organization,
        actor=actor,
        action="reports.status_changed",
        target=report,
        data={"from": old, "to": to},
    )
    if decided:
        transaction.on_commit(partial(_enqueue_outcome, report.pk))
    return report


def _enqueue_outcome(report_id: int) -> None:
    from chorus.reports.tasks import report_notify_outcome_task

    report_notify_outcome_task.enqueue(report_id=report_id)


def report_notify_outcome(*, report_id: int) -> int:
    """E-mail the outcome to each named reporter not told yet. Idempotent; returns e-mails sent."""
    report = Report.objects.get(pk=report_id)
    if not report.decided_at:
        return 0
    sent = 0
    pending = report.submissions.filter(
        reporter__isnull=False, anonymous=False, outcome_notified_at__isnull=True
    ).select_related("reporter")
    for submission in pending:
        # Claim the row first so a retried task never sends the same e-mail twice.
        claimed = Submission.objects.filter(
            pk=submission.pk, outcome_notified_at__isnull=True
        ).update(outcome_notified_at=timezone.now())
        if not claimed or not submission.reporter:
            continue
        _notify(
            f"Your report {report.reference}: outcome",
            f"Hello {submission.reporter.get_short_name()},\n\nThank you for your report of\n"
            f"{submission.url}\n\nOutcome: {report.outcome}\n\nYou can see it at any time on "
            f"your reports page: {_absolute(reverse('reports:mine'))}\n",
            [submission.reporter.email],
        )
        sent += 1
    return sent


@transaction.atomic
def report_ask(
    *, report: Report, submission: Submission, actor: User, question: str
) -> ReportEvent:
    """Ask one reporter a question; they see it on their reports page or key page."""
    _require_handler(actor, report)
    if submission.report_id != report.pk:
        raise InvalidInput("That submission belongs to another report.", field="submission")
    if submission.reporter_id is None and not submission.anonymous:
        raise InvalidInput(
            "This submission came from monitoring: there is nobody to ask.", field="submission"
        )
    question = _clean_text(question, field="question", label="your question", required=True)
    event = ReportEvent.objects.create(
        organization_id=report.organization_id,
        report=report,
        submission=submission,
        actor=actor,
        kind=ReportEvent.Kind.QUESTION,
        note=question,
    )
    audit_record(
        organization=report.organization,
        actor=actor,
        action="reports.question_asked",
        target=report,
        data={"submission": submission.pk},
    )
    if submission.reporter is not None:
        reporter = submission.reporter
        transaction.on_commit(
            lambda: _notify(
                f"A question about your report {report.reference}",
                f"Hello {reporter.get_short_name()},\n\nThe team handling your report has a "
                f"question. Read and answer it here: {_absolute(reverse('reports:mine'))}\n",
                [reporter.email],
            )
        )
    return event


@transaction.atomic
def submission_answer(
    *, submission: Submission, text: str, reporter: User | None = None
) -> ReportEvent:
    """The reporter's answer (named: `reporter` must be the submitter; anonymous: no one)."""
    if submission.anonymous and reporter is not None:
        raise PermissionDenied("Anonymous reports are answered with the report key only.")
    if not submission.anonymous and (reporter is None or submission.reporter_id != reporter.pk):
        raise PermissionDenied("Only the person who sent this report can answer.")
    if submission.report.status == Report.Status.CLOSED:
        raise ReportError("This case is closed; it no longer takes answers.", field="answer")
    if not submission.events.filter(kind=ReportEvent.Kind.QUESTION).exists():
        raise ReportError("There is no question to answer yet.", field="answer")
    text = _clean_text(text, field="answer", label="your answer", required=True)
    event = ReportEvent.objects.create(
        organization_id=submission.organization_id,
        report=submission.report,
        submission=submission,
        actor=reporter,
        kind=ReportEvent.Kind.ANSWER,
        note=text,
    )
    audit_record(
        organization=submission.report.organization,
        actor=reporter or ANONYMOUS,
        action="reports.question_answered",
        target=submission.report,
        data={"submission": submission.pk},
    )
    return event


@transaction.atomic
def report_record_legal_review(*, report: Report, actor: User, note: str) -> Report:
    """A legal-role user records their review; this unlocks opening an incident."""
    if not actor.has_role("legal") or actor.organization_id != report.organization_id:
        raise PermissionDenied("Only someone with the legal role can record a legal review.")
    if report.excluded_users.filter(pk=actor.pk).exists():
        raise PermissionDenied("This report names you; another lawyer must review it.")
    note = _clean_text(note, field="note", label="the review", required=True)
    report = Report.objects.select_for_update().get(pk=report.pk)
    report.legal_review_by, report.legal_review_at, report.legal_review_note = (
        actor,
        timezone.now(),
        note,
    )
    report.save(
        update_fields=["legal_review_by", "legal_review_at", "legal_review_note", "updated_at"]
    )
    ReportEvent.objects.create(
        organization_id=report.organization_id,
        report=report,
        actor=actor,
        kind=ReportEvent.Kind.LEGAL_REVIEW,
        note=note,
    )
    audit_record(
        organization=report.organization,
        actor=actor,
        action="reports.legal_reviewed",
        target=report,
        data={"protected_activity": report.protected_activity},
    )
    return report


def incidents_available() -> bool:
    return apps.is_installed("chorus.incidents")


@transaction.atomic
def report_open_incident(*, report: Report, actor: User) -> Any:
    """Open an incident (the graduated-response process) from this report.

    Refused while the report may be protected activity and no legal review is recorded.
    """
    _require_handler(actor, report)
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.incident_ref:
        raise ReportError(f"An incident is already open for this report (#{report.incident_ref}).")
    if report.status in (Report.Status.NO_ACTION, Report.Status.CLOSED):
        raise ReportError("This report was decided without action; reopen a new report instead.")
    if report.needs_legal_review:
        why = (
            "may be protected activity (pay, conditions, organizing)"
            if report.protected_activity
            else "could not be screened for protected activity"
        )
        raise ReportError(
            f"This report {why}. It must not be treated as misconduct: a legal "
            "reviewer has to record a review before an incident can be opened."
        )
    if not incidents_available():
        raise ReportError("The incidents module is not installed in this Chorus.")
    from chorus.incidents.services import incident_open_from_report

    incident = incident_open_from_report(report=report, actor=actor)
    report.incident_ref = str(incident.pk)
    report.save(update_fields=["incident_ref", "updated_at"])
    ReportEvent.objects.create(
        organization_id=report.organization_id,
        report=report,
        actor=actor,
        kind=ReportEvent.Kind.INCIDENT,
        note=f"Incident #{incident.pk} opened.",
    )
    audit_record(
        organization=report.organization,
        actor=actor,
        action="reports.incident_opened",
        target=report,
        data={"incident": str(incident.pk)},
    )
    return incident


@transaction.atomic
def report_request_advocacy(*, report: Report, actor: User, note: str) -> Report:
    """Ask communications for a public response (e.g. a crisis); shows on their dashboard."""
    _require_handler(actor, report)
    if report.status == Report.Status.CLOSED:
        raise ReportError("This report is closed.")
    note = _clean_text(
        note, field="note", label="what communications should respond to", required=True
    )
    report.advocacy_requested_at, report.advocacy_requested_by, report.advocacy_note = (
        timezone.now(),
        actor,
        note,
    )
    report.save(
        update_fields=[
            "advocacy_requested_at",
            "advocacy_requested_by",
            "advocacy_note",
            "updated_at",
        ]
    )
    ReportEvent.objects.create(
        organization_id=report.organization_id,
        report=report,
        actor=actor,
        kind=ReportEvent.Kind.ADVOCACY,
        note=note,
    )
    audit_record(
        organization=report.organization,
        actor=actor,
        action="reports.advocacy_requested",
        target=report,
    )
    comms = (
        User.objects.filter(
            organization_id=report.organization_id, is_active=True, groups__name="communications"
        )
        .exclude(pk__in=report.excluded_users.values("pk"))
        .values_list("email", flat=True)
    )
    recipients = list(comms)
    transaction.on_commit(
        lambda: _notify(
            f"Response requested: {report.get_category_display()} ({report.reference})",
            f"Triage asks communications for a response to\n{report.url}\n\n{note}\n\n"
            f"See your dashboard: {_absolute(reverse('dashboard'))}\n",
            recipients,
        )
    )
    return report


@transaction.atomic
def evidence_open(*, evidence: Evidence, actor: User) -> Evidence:
    """Record that `actor` viewed a screenshot (access was checked by `evidence_get_for`)."""
    audit_record(
        organization=evidence.submission.report.organization,
        actor=actor,
        action="reports.evidence_viewed",
        target=evidence.submission.report,
        data={"evidence": evidence.pk, "sha256": evidence.sha256},
    )
    return evidence


# --- SLA escalation ------------------------------------------------------------------------


def report_escalate_overdue(*, now: datetime | None = None) -> list[Report]:
    """Escalate every open report past its SLA to its team lead, once. Idempotent.

    The conditional update on `escalated_at IS NULL` is the claim: concurrent or repeated runs
    escalate (and e-mail) each report exactly once. If the lead is named in the report, HR or
    legal are told instead.
    """
    now = now or timezone.now()
    escalated = []
    overdue = Report.objects.filter(
        status__in=[Report.Status.NEW, Report.Status.TRIAGING],
        due_at__lte=now,
        escalated_at__isnull=True,
    ).select_related("rule__lead", "assignee", "organization")
    for report in overdue:
        with transaction.atomic():
            if not Report.objects.filter(pk=report.pk, escalated_at__isnull=True).update(
                escalated_at=now
            ):
                continue
            excluded = set(report.excluded_users.values_list("pk", flat=True))
            lead = report.rule.lead if report.rule else None
            if lead is not None and lead.pk not in excluded and lead.is_active:
                targets = [lead]
            else:
                targets = [
                    u for u in _fallback_handlers(report.organization_id) if u.pk not in excluded
                ][:3]
            hours = int((now - report.due_at).total_seconds() // 3600)
            ReportEvent.objects.create(
                organization_id=report.organization_id,
                report=report,
                actor=None,
                kind=ReportEvent.Kind.ESCALATED,
                note=f"SLA of {report.sla_hours} h missed{f' by {hours} h' if hours else ''}; "
                f"escalated to {', '.join(str(t) for t in targets) or 'nobody (no handler)'}.",
            )
            audit_record(
                organization=report.organization,
                actor=None,
                action="reports.escalated",
                target=report,
                data={"to": [t.pk for t in targets]},
            )
            link = _absolute(reverse("reports:detail", args=[report.pk]))
            emails = [t.email for t in targets]
            subject = f"Overdue report {report.reference}: {report.get_category_display()}"
            body = (
                f"Report {report.reference} ({report.get_category_display()}) was due "
                f"{report.due_at:%Y-%m-%d %H:%M} UTC and has no decision yet.\n"
                f"Assigned to: {report.assignee or 'nobody'}\n\nOpen it: {link}\n"
            )
            transaction.on_commit(partial(_notify, subject, body, emails))
            report.escalated_at = now
            escalated.append(report)
    return escalated


# --- configuration -------------------------------------------------------------------------


@transaction.atomic
def routing_rule_save(
    *,
    organization: Organization,
    actor: User | None,
    category: str,
    team: Iterable[User],
    lead: User | None,
    sla_hours: int,
) -> RoutingRule:
    """Create or replace the routing rule for one category."""
    if category not in Category.values:
        raise InvalidInput("Choose a report category.", field="category")
    if not 1 <= int(sla_hours) <= 24 * 30:
        raise InvalidInput(
            "The SLA must be between 1 hour and 30 days (720 hours).", field="sla_hours"
        )
    team = list(team)
    people = [*team, *([lead] if lead else [])]
    if any(u.organization_id != organization.pk for u in people):
        raise InvalidInput(
            "Team members and the lead must belong to this organization.", field="team"
        )
    if not team and lead is None:
        raise InvalidInput("Add at least one team member or a lead.", field="team")
    rule, _created = RoutingRule.objects.update_or_create(
        organization=organization,
        category=category,
        defaults={"lead": lead, "sla_hours": int(sla_hours)},
    )
    rule.team.set(team)
    audit_record(
        organization=organization,
        actor=actor,
        action="reports.routing_rule_saved",
        target=rule,
        data={
            "category": category,
            "team": sorted(u.pk for u in team),
            "lead": lead.pk if lead else None,
            "sla_hours": int(sla_hours),
        },
    )
    return rule


def can_configure(user: User) -> bool:
    return user.has_role("admin") or user.has_role("hr")
