"""The gates before a decision: screening for protected activity, facts, notice to the
employee, their response, assessment and review."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from chorus.common.errors import Conflict, InvalidInput, PermissionDenied
from chorus.common.uploads import validate_image
from chorus.incidents import matrix as M
from chorus.incidents.models import Incident, IncidentEvent, IncidentReview, Outcome, Severity
from chorus.incidents.selectors import policy_notice_for
from chorus.incidents.services.base import (
    CHECKLIST_ANSWERS,
    PROTECTED_CHECKLIST,
    _audit,
    _event,
    _not_closed,
    _require_role,
    _set_status,
)
from chorus.incidents.services.matrix import matrix_current
from chorus.people.models import Person, User
from chorus.people.roles import Role

logger = logging.getLogger(__name__)


def incident_run_screen(*, incident: Incident) -> str:
    """Run the organization's screening engine over the post texts and record its
    protected-activity signal. When the engine cannot run, the signal is "unavailable", which
    (like a positive signal) routes the incident to legal."""
    texts = [e.text for e in incident.evidence.all() if e.text]
    if not texts and incident.summary:
        texts = [incident.summary]
    if not texts:
        signal = Incident.Screen.NOT_RUN
    elif not apps.is_installed("chorus.checks"):
        signal = Incident.Screen.UNAVAILABLE
    else:
        try:
            from chorus.checks.services import screen_text

            flagged = any(
                "protected_activity" in screen_text(organization=incident.organization,
                                                    text=text).signals
                for text in texts
            )
            signal = Incident.Screen.FLAGGED if flagged else Incident.Screen.CLEAR
        except Exception:  # the gate must fail safe, never silently pass
            logger.exception("protected-activity screen failed for incident %s", incident.pk)
            signal = Incident.Screen.UNAVAILABLE
    if signal != incident.screen_signal:
        incident.screen_signal = signal
        incident.save(update_fields=["screen_signal", "updated_at"])
        _event(incident, None, IncidentEvent.Kind.SCREENED,
               f"Protected-activity engine: {incident.get_screen_signal_display().lower()}")
    return signal


@transaction.atomic
def incident_establish_facts(
    *, incident: Incident, actor: User, subject: Person | None, authorship_confirmed: bool,
    lawful_access_confirmed: bool, note: str,
) -> Incident:
    """Record that the facts are established: who it concerns, that the post is really theirs
    and that it was obtained lawfully (public, reported voluntarily or on a company system)."""
    _require_role(actor, Role.HR, doing="establish the facts")
    _not_closed(incident, "change the facts")
    subject = subject or incident.subject
    if subject is None:
        raise InvalidInput("Choose the person this incident concerns.", field="subject")
    if subject.organization_id != incident.organization_id:
        raise InvalidInput("That person is not in your organization.", field="subject")
    if not authorship_confirmed:
        raise InvalidInput("Confirm the post is really the employee's (not a parody, hack or "
                           "impersonation) before the facts count as established.",
                           field="authorship_confirmed")
    if not lawful_access_confirmed:
        raise InvalidInput("Confirm the content was public, reported voluntarily or on a company "
                           "system. Evidence obtained otherwise cannot be used.",
                           field="lawful_access_confirmed")
    if not note.strip():
        raise InvalidInput("Write down what happened and how you checked it.", field="note")
    incident.subject = subject
    incident.facts_established_at, incident.facts_established_by = timezone.now(), actor
    incident.facts_note = note.strip()
    incident.save(update_fields=["subject", "facts_established_at", "facts_established_by",
                                 "facts_note", "updated_at"])
    _event(incident, actor, IncidentEvent.Kind.FACTS_ESTABLISHED, "Facts established",
           note=incident.facts_note)
    _audit(incident, actor, "incident.facts_established", subject=subject.pk)
    return incident


@transaction.atomic
def incident_record_screen(*, incident: Incident, actor: User, answers: dict[str, str]) -> Incident:
    """Store the reviewer's answers to the protected-activity checklist (every question)."""
    _require_role(actor, Role.HR, Role.LEGAL, doing="answer the protected-activity checklist")
    _not_closed(incident, "change the screen")
    clean = {}
    for key, question in PROTECTED_CHECKLIST.items():
        answer = (answers or {}).get(key, "")
        if answer not in CHECKLIST_ANSWERS:
            raise InvalidInput(f"Answer “{question}” with yes, no or unsure.", field=key)
        clean[key] = answer
    incident.screen_checklist = clean
    incident.screen_reviewed_by, incident.screen_reviewed_at = actor, timezone.now()
    incident.save(update_fields=["screen_checklist", "screen_reviewed_by", "screen_reviewed_at",
                                 "updated_at"])
    flagged = sorted(k for k, v in clean.items() if v != "no")
    _event(incident, actor, IncidentEvent.Kind.SCREENED,
           "Protected-activity checklist answered: "
           + ("possible protected activity (" + ", ".join(flagged) + ")" if flagged
              else "no protected activity"))
    _audit(incident, actor, "incident.screen_recorded", answers=clean)
    return incident


def screen_clearly_negative(incident: Incident) -> bool:
    """True only when the engine ran without a signal and every checklist answer is "no"."""
    return (incident.screen_signal == Incident.Screen.CLEAR
            and bool(incident.screen_checklist)
            and all(v == "no" for v in incident.screen_checklist.values()))


@transaction.atomic
def incident_notify(*, incident: Incident, actor: User, notice_text: str) -> Incident:
    """Tell the employee in writing what is alleged and open their response window (the
    matrix's `response_days`). From now on they see the incident and can respond."""
    _require_role(actor, Role.HR, doing="notify the employee")
    _not_closed(incident, "notify the employee")
    if incident.subject is None:
        raise InvalidInput("Choose who this incident concerns (establish the facts) first.",
                           field="subject")
    if incident.notified_at:
        raise Conflict("The employee was already told on "
                       f"{incident.notified_at:%Y-%m-%d}; their window is open.")
    if not notice_text.strip():
        raise InvalidInput("Write what is alleged, so the employee can answer it.",
                           field="notice_text")
    matrix = incident.matrix or matrix_current(organization=incident.organization)
    days = matrix.response_days if matrix else 5
    now = timezone.now()
    incident.notified_at, incident.response_due_at = now, now + timedelta(days=days)
    incident.notice_text = notice_text.strip()
    incident.save(update_fields=["notified_at", "response_due_at", "notice_text", "updated_at"])
    if incident.status == Incident.Status.OPEN:
        _set_status(incident, actor, Incident.Status.IN_REVIEW, "Employee told")
    _event(incident, actor, IncidentEvent.Kind.NOTIFIED,
           f"Employee told; response window open until {incident.response_due_at:%Y-%m-%d}",
           note=incident.notice_text)
    _audit(incident, actor, "incident.employee_notified", due=incident.response_due_at,
           days=days)
    from chorus.incidents.services.notices import after_employee_told

    after_employee_told(incident)
    return incident


MAX_RESPONSE_ATTACHMENTS = 3


@transaction.atomic
def incident_record_response(
    *, incident: Incident, actor: User, text: str, attachments: Sequence[UploadedFile] = (),
    meeting_requested: bool = False, representative: str = "",
) -> Incident:
    """Store the employee's response. The employee answers on their own page; HR may record a
    response given in person, which the timeline marks as recorded by HR. Attachments are
    validated images stored as evidence with their SHA-256 (served only through the
    permission-checked evidence view); a meeting request and a representative are recorded."""
    own = incident.subject is not None and incident.subject.user_id == actor.pk
    if not own:
        _require_role(actor, Role.HR, doing="record someone else's response")
    if not incident.notified_at:
        raise Conflict("The employee has not been told about this incident yet.")
    if incident.responded_at:
        raise Conflict(f"A response was already recorded on {incident.responded_at:%Y-%m-%d}.")
    _not_closed(incident, "respond")
    text = text.strip()
    if len(text) < 2:
        raise InvalidInput("Write your response (you may also say you prefer not to comment).",
                           field="text")
    if len(attachments) > MAX_RESPONSE_ATTACHMENTS:
        raise InvalidInput(f"Attach at most {MAX_RESPONSE_ATTACHMENTS} files.",
                           field="attachments")
    for upload in attachments:
        validate_image(upload, field="attachments")  # before anything is written
    representative = " ".join(representative.split())
    if len(representative) > 200:
        raise InvalidInput("Keep the representative's name under 200 characters.",
                           field="representative")
    incident.employee_response, incident.responded_at = text[:20000], timezone.now()
    incident.response_meeting_requested = bool(meeting_requested)
    incident.response_representative = representative
    incident.save(update_fields=["employee_response", "responded_at",
                                 "response_meeting_requested", "response_representative",
                                 "updated_at"])
    who = "Employee responded" if own else "Response recorded by HR on the employee's behalf"
    extras = [x for x in (
        "asked for a meeting" if meeting_requested else "",
        f"named {representative} to accompany them" if representative else "",
        f"attached {len(attachments)} file(s)" if attachments else "") if x]
    _event(incident, actor, IncidentEvent.Kind.RESPONDED,
           who + (f" ({'; '.join(extras)})" if extras else ""), note=incident.employee_response)
    _audit(incident, actor, "incident.employee_responded", by_subject=own,
           meeting_requested=bool(meeting_requested), representative=bool(representative),
           attachments=len(attachments))
    from chorus.incidents.services.evidence import store_image_evidence

    for upload in attachments:
        store_image_evidence(incident=incident, actor=actor, upload=upload,
                             note="Attached by the employee with their response" if own
                             else "Attached by HR with the employee's response")
    from chorus.incidents.services.notices import after_employee_responded

    after_employee_responded(incident, by_employee=own)
    return incident


def _prior_count(incident: Incident, window_months: int) -> int:
    """Sanctions decided within the look-back window (history decays past it). A decision
    overturned on appeal is no history; coaching notes and informal warnings are not
    incidents' decisions, so they never count."""
    since = incident.opened_at - timedelta(days=round(window_months * 30.44))
    return (Incident.objects.filter(organization_id=incident.organization_id,
                                    subject_id=incident.subject_id, decided_at__gte=since,
                                    decided_at__lt=incident.opened_at)
            .exclude(pk=incident.pk).exclude(outcome__in=["", Outcome.NO_ACTION])
            .exclude(appeals__status="overturned").count())


def _legal_beyond(incident: Incident) -> bool:
    return incident.reviews.filter(kind=IncidentReview.Kind.LEGAL,
                                   verdict=IncidentReview.Verdict.APPROVE,
                                   approves_beyond_one_step=True).exists()


@transaction.atomic
def incident_assess(
    *, incident: Incident, actor: User, severity: str, modifiers: dict[str, Any],
) -> Incident:
    """Assess against the current published matrix (recorded on the incident): history is
    counted from decided incidents in the window; without a record that the employee
    acknowledged the policy before the incident, the suggestion is capped at coaching (notice
    test); the suggestion and its explanation are stored. Re-assessing before the decision
    replaces the suggestion and is logged."""
    _require_role(actor, Role.HR, doing="assess incidents")
    return _assess(incident=incident, actor=actor, severity=severity, modifiers=modifiers)


def _assess(*, incident: Incident, actor: User, severity: str,
            modifiers: dict[str, Any]) -> Incident:
    _not_closed(incident, "re-assess it")
    if incident.subject is None:
        raise InvalidInput("Choose who this incident concerns first.", field="subject")
    if severity not in Severity.values:
        raise InvalidInput("Choose a severity.", field="severity")
    matrix = matrix_current(organization=incident.organization)
    if matrix is None:
        raise Conflict("Publish a response matrix first (Incidents → Response matrix).")
    mods = M.clean_modifiers(modifiers)
    priors = _prior_count(incident, matrix.window_months)
    history = ["first", "second", "repeated"][min(priors, 2)]
    notice = policy_notice_for(incident=incident)
    result = M.suggest(cells=matrix.cells, severity=severity, history=history, modifiers=mods,
                       legal_approved=_legal_beyond(incident), version=matrix.number,
                       policy_acknowledged=not notice.missing)
    incident.matrix, incident.severity, incident.history = matrix, severity, history
    incident.prior_count, incident.modifiers = priors, mods
    incident.suggested_response = result.response
    incident.suggestion_explanation = [
        f"{priors} decided prior incident(s) in the last {matrix.window_months} months.",
        *result.explanation,
    ]
    incident.assessed_at = timezone.now()
    incident.save(update_fields=["matrix", "severity", "history", "prior_count", "modifiers",
                                 "suggested_response", "suggestion_explanation", "assessed_at",
                                 "updated_at"])
    _event(incident, actor, IncidentEvent.Kind.ASSESSED,
           f"Matrix v{matrix.number} suggests {result.response_label}",
           note="\n".join(incident.suggestion_explanation))
    _audit(incident, actor, "incident.assessed", matrix=matrix.number, severity=severity,
           history=history, modifiers=mods, suggested=result.response,
           notice_capped=result.notice_capped)
    return incident


@transaction.atomic
def incident_review(
    *, incident: Incident, actor: User, kind: str, verdict: str, note: str,
    approves_beyond_one_step: bool = False,
) -> IncidentReview:
    """Record a second review (HR or legal, not the incident's owner) or a legal review
    (legal role). Only legal can approve moving the suggestion more than one step."""
    _not_closed(incident, "review it")
    if kind == IncidentReview.Kind.LEGAL:
        _require_role(actor, Role.LEGAL, doing="record a legal review")
    elif kind == IncidentReview.Kind.SECOND:
        _require_role(actor, Role.HR, Role.LEGAL, doing="act as second reviewer")
        if incident.owner_id == actor.pk:
            raise PermissionDenied("The second reviewer must be someone other than the "
                                   "incident's owner.")
    else:
        raise InvalidInput("Choose a second review or a legal review.", field="kind")
    if verdict not in IncidentReview.Verdict.values:
        raise InvalidInput("Choose approve or concerns.", field="verdict")
    if not note.strip():
        raise InvalidInput("Write the reasons for your review.", field="note")
    review = IncidentReview.objects.create(
        organization_id=incident.organization_id, incident=incident, kind=kind, reviewer=actor,
        verdict=verdict, note=note.strip(),
        approves_beyond_one_step=bool(approves_beyond_one_step and kind == "legal"),
    )
    _event(incident, actor, IncidentEvent.Kind.REVIEWED,
           f"{review.get_kind_display()}: {review.get_verdict_display().lower()}"
           + (" (may move more than one step)" if review.approves_beyond_one_step else ""),
           note=review.note)
    _audit(incident, actor, "incident.reviewed", kind=kind, verdict=verdict,
           beyond_one_step=review.approves_beyond_one_step)
    if incident.assessed_at and review.approves_beyond_one_step:
        # Legal's approval can lift the one-step cap: refresh the stored suggestion.
        _assess(incident=incident, actor=actor, severity=incident.severity,
                modifiers=incident.modifiers)
    return review


@dataclass(frozen=True)
class Gate:
    key: str
    label: str
    required: bool
    ok: bool
    detail: str  # what is done, or what is missing and who can do it
