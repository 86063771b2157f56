"""Triage: status changes, questions to the reporter and their answers, legal review, and
handing a case to incidents or advocacy."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.apps import apps
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import InvalidInput, PermissionDenied
from chorus.people.models import User
from chorus.reports.models import ALLOWED_TRANSITIONS, Evidence, Report, ReportEvent, Submission
from chorus.reports.selectors import user_can_handle
from chorus.reports.services.base import (
    ANONYMOUS,
    ReportError,
    _clean_text,
    _notify,
    record_event,
)


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
    record_event(
        report=report,
        actor=actor,
        kind=ReportEvent.Kind.STATUS,
        action="reports.status_changed",
        note=reason,
        data={"from": old, "to": to},
        from_status=old,
        to_status=to,
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
            "reports.outcome", report, [submission.reporter],
            f"Your report {report.reference}: outcome",
            f"Thank you for your report of {submission.url}\n\nOutcome: {report.outcome}",
            reverse("reports:mine"), dedupe_key=f"outcome:{submission.pk}",
        )
        sent += 1
    from chorus.reports.services.base import mail_anonymous_contact

    anonymous = report.submissions.filter(anonymous=True, outcome_notified_at__isnull=True
                                          ).exclude(contact_email="")
    for submission in anonymous:
        if Submission.objects.filter(pk=submission.pk, outcome_notified_at__isnull=True).update(
                outcome_notified_at=timezone.now()):
            sent += int(mail_anonymous_contact(submission.pk))
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
    event = record_event(
        report=report,
        actor=actor,
        kind=ReportEvent.Kind.QUESTION,
        action="reports.question_asked",
        note=question,
        data={"submission": submission.pk},
        submission=submission,
    )
    if submission.anonymous and submission.contact_email:
        from chorus.reports.services.base import mail_anonymous_contact

        transaction.on_commit(partial(mail_anonymous_contact, submission.pk))
    if submission.reporter is not None:
        reporter = submission.reporter
        transaction.on_commit(
            lambda: _notify(
                "reports.question", report, [reporter],
                f"A question about your report {report.reference}",
                "The team handling your report has a question. Read and answer it on your "
                "reports page.",
                reverse("reports:mine"), dedupe_key=f"question:{event.pk}",
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
    event = record_event(
        report=submission.report,
        actor=reporter,
        kind=ReportEvent.Kind.ANSWER,
        action="reports.question_answered",
        note=text,
        data={"submission": submission.pk},
        audit_actor=reporter or ANONYMOUS,
        submission=submission,
    )
    return event


@transaction.atomic
def submission_set_contact(*, submission: Submission, contact_email: str) -> Submission:
    """An anonymous reporter leaves, changes or removes a private address for updates."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    if not submission.anonymous:
        raise PermissionDenied("Named reporters are told on their reports page.")
    contact_email = (contact_email or "").strip()
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            raise InvalidInput("That is not a valid e-mail address. Correct it, or leave it "
                               "empty to be told nothing.", field="contact_email") from None
    submission.contact_email = contact_email
    submission.save(update_fields=["contact_email", "updated_at"])
    audit_record(organization=submission.report.organization, actor=ANONYMOUS,
                 action="reports.contact_changed", target=submission.report,
                 data={"submission": submission.pk, "contact": bool(contact_email)})
    return submission


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
    record_event(
        report=report,
        actor=actor,
        kind=ReportEvent.Kind.LEGAL_REVIEW,
        action="reports.legal_reviewed",
        note=note,
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
    record_event(
        report=report,
        actor=actor,
        kind=ReportEvent.Kind.INCIDENT,
        action="reports.incident_opened",
        note=f"Incident #{incident.pk} opened.",
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
    record_event(
        report=report,
        actor=actor,
        kind=ReportEvent.Kind.ADVOCACY,
        action="reports.advocacy_requested",
        note=note,
    )
    comms = (
        User.objects.filter(
            organization_id=report.organization_id, is_active=True, groups__name="communications"
        )
        .exclude(pk__in=report.excluded_users.values("pk"))
    )
    recipients = list(comms)
    transaction.on_commit(
        lambda: _notify(
            "reports.advocacy_requested", report, recipients,
            f"Response requested: {report.get_category_display()} ({report.reference})",
            f"Triage asks communications for a response to {report.url}\n\n{note}",
            reverse("dashboard"),
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
