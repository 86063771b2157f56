"""Every write for incidents and the response matrix.

Guarantees kept here, in one place:
- a decision is recorded only by a person with the HR role, only after every gate passed, and a
  decision that differs from the matrix suggestion always carries a written justification;
- nothing disciplinary happens automatically: opening, screening and assessing only *suggest*;
- containment (take-down request, pausing advocacy) is separate from discipline;
- evidence is hashed when stored and never edited; the purge keeps the hash;
- each change writes an `IncidentEvent` (timeline) and an audit entry in the same transaction.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput, PermissionDenied
from chorus.common.uploads import validate_image
from chorus.incidents import matrix as M
from chorus.incidents.models import (
    ALLOWED_TRANSITIONS,
    Evidence,
    Incident,
    IncidentEvent,
    IncidentReview,
    IncidentShare,
    Outcome,
    ResponseMatrix,
    Severity,
)
from chorus.people.models import Organization, Person, User
from chorus.people.roles import Role
from chorus.people.selectors import person_team_ids
from chorus.people.services import person_set_advocacy_paused

logger = logging.getLogger(__name__)

#: The reviewer's protected-activity checklist (research c.1.3). Each is answered yes/no/unsure;
#: anything but "no" everywhere routes the case to legal.
PROTECTED_CHECKLIST: dict[str, str] = {
    "working_conditions": "Is it about pay, hours, working conditions, safety or how staff are "
                          "treated, and involving or addressed to co-workers?",
    "union": "Is it about a union or employees acting together?",
    "whistleblowing": "Is it a report to an agency, court or attorney, or whistleblowing?",
    "off_duty": "Is it political or lawful off-duty activity in a state that protects it?",
    "harassment_complaint": "Is it a harassment complaint by the person harassed?",
    "religious": "Is it religious expression?",
}
CHECKLIST_ANSWERS = ("no", "yes", "unsure")


def _require_role(user: User, *roles: str, doing: str) -> None:
    if not any(user.has_role(r) for r in roles):
        names = " or ".join(Role(r).label for r in roles)
        raise PermissionDenied(f"Only {names} can {doing}.")


def _event(incident: Incident, actor: User | None, kind: str, summary: str, note: str = "",
           from_status: str = "", to_status: str = "") -> IncidentEvent:
    return IncidentEvent.objects.create(
        incident=incident, actor=actor, kind=kind, summary=summary[:300], note=note,
        from_status=from_status, to_status=to_status,
    )


def _audit(incident: Incident, actor: User | None, action: str, **data: Any) -> None:
    audit_record(organization=incident.organization, actor=actor, action=action,
                 target=incident, data=data)


def _set_status(incident: Incident, actor: User | None, to: str, why: str) -> None:
    """The one place an incident's status changes; always writes a timeline row."""
    current = incident.status
    if to not in ALLOWED_TRANSITIONS[current]:
        raise Conflict(f"An incident that is {incident.get_status_display().lower()} cannot "
                       f"become {Incident.Status(to).label.lower()}.")
    incident.status = to
    incident.save(update_fields=["status", "updated_at"])
    _event(incident, actor, IncidentEvent.Kind.STATUS_CHANGED,
           f"Status: {Incident.Status(current).label} → {Incident.Status(to).label}", note=why,
           from_status=current, to_status=to)


def _not_closed(incident: Incident, doing: str) -> None:
    if incident.status in (Incident.Status.DECIDED, Incident.Status.CLOSED):
        raise Conflict(f"This incident is {incident.get_status_display().lower()}; you cannot "
                       f"{doing} any more.")


# --------------------------------------------------------------------------- response matrix


def matrix_current(*, organization: Organization) -> ResponseMatrix | None:
    """The organization's published matrix, or None."""
    return (ResponseMatrix.objects.filter(organization=organization,
                                          status=ResponseMatrix.Status.PUBLISHED)
            .order_by("-number").first())


def _next_number(organization: Organization) -> int:
    last = ResponseMatrix.objects.filter(organization=organization).order_by("-number").first()
    return (last.number + 1) if last else 1


@transaction.atomic
def matrix_draft_get_or_create(*, organization: Organization, actor: User) -> ResponseMatrix:
    """The organization's draft, creating it from the published matrix (or the balanced preset)."""
    _require_role(actor, Role.HR, Role.LEGAL, doing="edit the response matrix")
    draft = ResponseMatrix.objects.filter(organization=organization,
                                          status=ResponseMatrix.Status.DRAFT).first()
    if draft:
        return draft
    base = matrix_current(organization=organization)
    draft = ResponseMatrix.objects.create(
        organization=organization, number=_next_number(organization),
        name=base.name if base else "Response matrix",
        preset=base.preset if base else "balanced",
        cells=base.cells if base else M.PRESETS["balanced"],
        window_months=base.window_months if base else 24,
        response_days=base.response_days if base else 5,
        retention_days=base.retention_days if base else 365,
        previous=base,
    )
    audit_record(organization=organization, actor=actor, action="incidents.matrix_draft_created",
                 target=draft, data={"number": draft.number})
    return draft


def _check_settings(window_months: int, response_days: int, retention_days: int) -> None:
    if not 1 <= window_months <= 120:
        raise InvalidInput("The look-back window must be between 1 and 120 months.",
                           field="window_months")
    if not 1 <= response_days <= 60:
        raise InvalidInput("The response window must be between 1 and 60 days.",
                           field="response_days")
    if not 30 <= retention_days <= 3650:
        raise InvalidInput("Evidence retention must be between 30 and 3650 days after closing.",
                           field="retention_days")


@transaction.atomic
def matrix_draft_save(
    *, matrix: ResponseMatrix, actor: User, cells: dict[str, dict[str, str]], window_months: int,
    response_days: int, retention_days: int, change_summary: str = "",
) -> ResponseMatrix:
    """Save the draft's grid and settings. Published versions can never be edited."""
    _require_role(actor, Role.HR, Role.LEGAL, doing="edit the response matrix")
    if matrix.status != ResponseMatrix.Status.DRAFT:
        raise Conflict("Only a draft can be edited; start a new draft from the published matrix.")
    matrix.cells = M.validate_cells(cells)
    _check_settings(window_months, response_days, retention_days)
    matrix.window_months, matrix.response_days = window_months, response_days
    matrix.retention_days = retention_days
    matrix.change_summary = change_summary.strip()[:300]
    matrix.save(update_fields=["cells", "window_months", "response_days", "retention_days",
                               "change_summary", "updated_at"])
    audit_record(organization=matrix.organization, actor=actor,
                 action="incidents.matrix_draft_saved", target=matrix,
                 data={"number": matrix.number})
    return matrix


@transaction.atomic
def matrix_publish(*, matrix: ResponseMatrix, actor: User) -> ResponseMatrix:
    """Publish a draft; the previous published version is retired. Lint errors block."""
    _require_role(actor, Role.HR, Role.LEGAL, doing="publish the response matrix")
    matrix = ResponseMatrix.objects.select_for_update().get(pk=matrix.pk)
    if matrix.status != ResponseMatrix.Status.DRAFT:
        raise Conflict("This version is already published or retired.")
    errors = [lint for lint in M.lint_matrix(cells=matrix.cells,
                                             window_months=matrix.window_months,
                                             response_days=matrix.response_days)
              if lint.level == "error"]
    if errors:
        raise InvalidInput(f"{errors[0].code}: {errors[0].message} Fix the grid, then publish.",
                           field="cells")
    ResponseMatrix.objects.filter(organization=matrix.organization,
                                  status=ResponseMatrix.Status.PUBLISHED).update(
        status=ResponseMatrix.Status.RETIRED)
    matrix.status = ResponseMatrix.Status.PUBLISHED
    matrix.published_at, matrix.published_by = timezone.now(), actor
    matrix.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    audit_record(organization=matrix.organization, actor=actor, action="incidents.matrix_published",
                 target=matrix, data={"number": matrix.number, "cells": matrix.cells,
                                      "window_months": matrix.window_months,
                                      "response_days": matrix.response_days,
                                      "retention_days": matrix.retention_days})
    return matrix


@transaction.atomic
def matrix_install_preset(*, organization: Organization, actor: User,
                          preset: str = "balanced") -> ResponseMatrix:
    """Publish a preset matrix for an organization that has none yet (returns the current one
    otherwise, so it is safe to call twice)."""
    current = matrix_current(organization=organization)
    if current:
        return current
    if preset not in M.PRESETS:
        raise InvalidInput(f"Unknown preset {preset!r}; use {', '.join(M.PRESETS)}.",
                           field="preset")
    draft = matrix_draft_get_or_create(organization=organization, actor=actor)
    draft.preset, draft.name = preset, f"{preset.title()} response matrix"
    draft.save(update_fields=["preset", "name", "updated_at"])
    matrix_draft_save(matrix=draft, actor=actor, cells=M.PRESETS[preset], window_months=24,
                      response_days=5, retention_days=365,
                      change_summary=f"The {preset} preset (research c.2).")
    return matrix_publish(matrix=draft, actor=actor)


# --------------------------------------------------------------------------- opening


def _sha256_text(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _open(
    *, organization: Organization, actor: User | None, subject: Person | None, source: str,
    source_ref: str, title: str, summary: str, category: str, rule_ids: list[str],
    text: str = "", url: str = "", network: str = "",
) -> Incident:
    if subject is not None and subject.organization_id != organization.pk:
        raise InvalidInput("That person is not in your organization.", field="subject")
    if source_ref:
        existing = Incident.objects.filter(organization=organization, source=source,
                                           source_ref=source_ref).first()
        if existing:
            return existing
    title = " ".join(title.split())[:200]
    if not title:
        raise InvalidInput("Give the incident a short title.", field="title")
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                organization=organization, subject=subject, source=source, source_ref=source_ref,
                title=title, summary=summary.strip(), category=category.strip()[:40],
                rule_ids=list(dict.fromkeys(r for r in rule_ids if r)), owner=actor,
                opened_at=timezone.now(), matrix=matrix_current(organization=organization),
            )
    except IntegrityError:
        # Two requests opened the same source at once; the other one won.
        return Incident.objects.get(organization=organization, source=source,
                                    source_ref=source_ref)
    _event(incident, actor, IncidentEvent.Kind.OPENED,
           f"Opened from {incident.get_source_display().lower()}"
           + (f" {source_ref}" if source_ref else ""), note=summary.strip()[:2000])
    _audit(incident, actor, "incident.opened", source=source, source_ref=source_ref,
           subject=subject.pk if subject else None)
    if text.strip() or url.strip():
        _add_text_evidence(incident=incident, actor=actor,
                           kind=Evidence.Kind.POST if text.strip() else Evidence.Kind.LINK,
                           text=text, url=url, network=network, note="Captured when opened")
    incident_run_screen(incident=incident)
    return incident


@transaction.atomic
def incident_open_manual(
    *, organization: Organization, actor: User, subject: Person | None, title: str,
    summary: str = "", category: str = "", rule_ids: list[str] | None = None, text: str = "",
    url: str = "", network: str = "",
) -> Incident:
    """HR opens an incident by hand, optionally with the post text or link as first evidence."""
    _require_role(actor, Role.HR, doing="open incidents")
    return _open(organization=organization, actor=actor, subject=subject,
                 source=Incident.Source.MANUAL, source_ref="", title=title, summary=summary,
                 category=category, rule_ids=rule_ids or [], text=text, url=url, network=network)


@transaction.atomic
def incident_open_from_report(*, report: Any, actor: User) -> Incident:
    """Open (or return the already opened) incident for a report from the reports app.

    Uses only `report.pk`, `.organization`, `.url`, `.network`, `.category`, `.description`
    and, when present, `.subject` (a Person or None), so this app never imports reports.
    """
    _require_role(actor, Role.HR, doing="open incidents")
    category = str(getattr(report, "category", "") or "")
    description = str(getattr(report, "description", "") or "")
    label = str(getattr(report, "get_category_display", lambda: category)() or "")
    title = ("Reported post" if category in ("", "other")
             else f"Reported post: {label[:1].lower()}{label[1:]}")
    return _open(
        organization=report.organization, actor=actor, subject=getattr(report, "subject", None),
        source=Incident.Source.REPORT, source_ref=str(report.pk), title=title,
        summary=description, category=category, rule_ids=[], url=str(report.url or ""),
        network=str(getattr(report, "network", "") or ""),
    )


@transaction.atomic
def incident_open_from_monitoring(
    *, alert_id: Any, organization: Organization, subject: Person | None, actor: User | None,
    text: str, url: str, network: str, findings: list[dict[str, Any]],
) -> Incident:
    """Open (or return) the incident for a monitoring alert; findings suggest the rules and
    category, but severity stays a human assessment."""
    rule_ids = [str(f.get("rule_id") or f.get("rule") or "") for f in findings or []]
    categories = [str(f.get("category") or "") for f in findings or [] if f.get("category")]
    category = categories[0] if categories else ""
    title = (f"Monitoring: {category.replace('_', ' ')}" if category else "Monitoring finding")
    return _open(
        organization=organization, actor=actor, subject=subject,
        source=Incident.Source.MONITORING, source_ref=str(alert_id), title=title,
        summary=f"{len(findings or [])} finding(s) from monitoring alert {alert_id}.",
        category=category, rule_ids=rule_ids, text=text, url=url, network=network,
    )


# --------------------------------------------------------------------------- evidence


def _add_text_evidence(*, incident: Incident, actor: User | None, kind: str, text: str, url: str,
                       network: str, note: str) -> Evidence:
    text, url = text.strip(), url.strip()
    if not text and not url:
        raise InvalidInput("Paste the post text or its link.", field="text")
    evidence = Evidence.objects.create(
        organization_id=incident.organization_id, incident=incident, kind=kind, text=text,
        url=url[:500], network=network.strip()[:40], sha256=_sha256_text(text, url),
        note=note.strip()[:300], added_by=actor,
    )
    _event(incident, actor, IncidentEvent.Kind.EVIDENCE_ADDED,
           f"{evidence.get_kind_display()} added (SHA-256 {evidence.sha256[:12]}…)")
    _audit(incident, actor, "incident.evidence_added", evidence=evidence.pk, kind=kind,
           sha256=evidence.sha256)
    return evidence


@transaction.atomic
def evidence_add(
    *, incident: Incident, actor: User, text: str = "", url: str = "", network: str = "",
    screenshot: UploadedFile | None = None, note: str = "",
) -> list[Evidence]:
    """Add post text / a link and/or a screenshot. Files are checked by content and stored
    under a random name with their SHA-256; nothing stored here is ever edited."""
    _require_role(actor, Role.HR, doing="add evidence")
    if incident.evidence_purged_at:
        raise Conflict("This incident's evidence was purged after retention; it cannot take more.")
    added = []
    if text.strip() or url.strip():
        added.append(_add_text_evidence(
            incident=incident, actor=actor,
            kind=Evidence.Kind.POST if text.strip() else Evidence.Kind.LINK,
            text=text, url=url, network=network, note=note))
    if screenshot is not None:
        mime = validate_image(screenshot, field="screenshot")
        digest = hashlib.sha256()
        content = b"".join(screenshot.chunks())
        digest.update(content)
        ext = mimetypes.guess_extension(mime) or ".img"
        evidence = Evidence(
            organization_id=incident.organization_id, incident=incident,
            kind=Evidence.Kind.SCREENSHOT, network=network.strip()[:40], url=url.strip()[:500],
            file_name=(screenshot.name or "screenshot")[:200], content_type=mime,
            size=len(content), sha256=digest.hexdigest(), note=note.strip()[:300],
            added_by=actor,
        )
        evidence.file.save(f"{uuid.uuid4().hex}{ext}", ContentFile(content), save=False)
        evidence.save()
        _event(incident, actor, IncidentEvent.Kind.EVIDENCE_ADDED,
               f"Screenshot {evidence.file_name} added (SHA-256 {evidence.sha256[:12]}…)")
        _audit(incident, actor, "incident.evidence_added", evidence=evidence.pk,
               kind=evidence.kind, sha256=evidence.sha256, size=evidence.size)
        added.append(evidence)
    if not added:
        raise InvalidInput("Add the post text, its link or a screenshot.", field="text")
    if any(e.text for e in added):
        incident_run_screen(incident=incident)
    return added


def evidence_record_view(*, evidence: Evidence, user: User, channel: str) -> None:
    """Write the audit entry every evidence view must leave (who, which item, how)."""
    audit_record(organization=evidence.incident.organization, actor=user,
                 action="incident.evidence_viewed", target=evidence.incident,
                 data={"evidence": evidence.pk, "kind": evidence.kind, "channel": channel})


# --------------------------------------------------------------------------- gates


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
    return incident


@transaction.atomic
def incident_record_response(*, incident: Incident, actor: User, text: str) -> Incident:
    """Store the employee's response. The employee answers on their own page; HR may record a
    response given in person, which the timeline marks as recorded by HR."""
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
    incident.employee_response, incident.responded_at = text[:20000], timezone.now()
    incident.save(update_fields=["employee_response", "responded_at", "updated_at"])
    who = "Employee responded" if own else "Response recorded by HR on the employee's behalf"
    _event(incident, actor, IncidentEvent.Kind.RESPONDED, who, note=incident.employee_response)
    _audit(incident, actor, "incident.employee_responded", by_subject=own)
    return incident


def _prior_count(incident: Incident, window_months: int) -> int:
    since = incident.opened_at - timedelta(days=round(window_months * 30.44))
    return (Incident.objects.filter(organization_id=incident.organization_id,
                                    subject_id=incident.subject_id, decided_at__gte=since,
                                    decided_at__lt=incident.opened_at)
            .exclude(pk=incident.pk).exclude(outcome__in=["", Outcome.NO_ACTION]).count())


def _legal_beyond(incident: Incident) -> bool:
    return incident.reviews.filter(kind=IncidentReview.Kind.LEGAL,
                                   verdict=IncidentReview.Verdict.APPROVE,
                                   approves_beyond_one_step=True).exists()


@transaction.atomic
def incident_assess(
    *, incident: Incident, actor: User, severity: str, modifiers: dict[str, Any],
) -> Incident:
    """Assess against the current published matrix (recorded on the incident): history is
    counted from decided incidents in the window; the suggestion and its explanation are
    stored. Re-assessing before the decision replaces the suggestion and is logged."""
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
    result = M.suggest(cells=matrix.cells, severity=severity, history=history, modifiers=mods,
                       legal_approved=_legal_beyond(incident), version=matrix.number)
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
           history=history, modifiers=mods, suggested=result.response)
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


def incident_gates(incident: Incident, *, now: datetime | None = None) -> list[Gate]:
    """The gates a decision must pass, each with what is missing. Pure read."""
    now = now or timezone.now()
    reviews = list(incident.reviews.all())
    gates = []
    facts = incident.facts_established_at is not None
    gates.append(Gate("facts", "Facts established", True, facts,
                      f"Established {incident.facts_established_at:%Y-%m-%d}" if facts else
                      "Confirm who posted it, that it is really theirs and that it was obtained "
                      "lawfully."))
    answered = bool(incident.screen_checklist)
    clear = screen_clearly_negative(incident)
    engine = incident.get_screen_signal_display()
    all_no = answered and all(v == "no" for v in incident.screen_checklist.values())
    checklist = "all answers no" if all_no else "possible protected activity"
    gates.append(Gate("screen", "Protected-activity screen", True, answered,
                      f"Engine: {engine}. Checklist: {checklist}." if answered else
                      f"Engine: {engine}. The reviewer must answer the checklist."))
    if incident.responded_at:
        response_ok, detail = True, f"Responded {incident.responded_at:%Y-%m-%d}"
    elif incident.notified_at and incident.response_due_at and now >= incident.response_due_at:
        response_ok, detail = True, (f"Window passed {incident.response_due_at:%Y-%m-%d} "
                                     "without a response")
    elif incident.notified_at:
        response_ok, detail = False, (f"Waiting for the employee until "
                                      f"{incident.response_due_at:%Y-%m-%d %H:%M}")
    else:
        response_ok, detail = False, "Tell the employee what is alleged and open their window."
    gates.append(Gate("response", "Employee told and heard", True, response_ok, detail))
    assessed = bool(incident.assessed_at)
    gates.append(Gate("assessed", "Assessed against the matrix", True, assessed,
                      f"Matrix v{incident.matrix.number}: "
                      f"{incident.get_suggested_response_display()}"
                      if assessed and incident.matrix else
                      "Set the severity and modifiers to get the matrix suggestion."))
    needs_second = incident.severity in (Severity.HIGH, Severity.CRITICAL)
    second = [r for r in reviews if r.kind == "second" and r.reviewer_id != incident.owner_id]
    second_ok = any(r.verdict == "approve" for r in second)
    gates.append(Gate("second_review", "Second reviewer", needs_second,
                      second_ok or not needs_second,
                      (f"Approved by {second[-1].reviewer}" if second_ok else
                       "High severity: another HR or legal reviewer must approve.")
                      if needs_second else "Not required below high severity."))
    needs_legal = incident.severity == Severity.CRITICAL or not clear
    legal = [r for r in reviews if r.kind == "legal"]
    legal_ok = bool(legal) and legal[-1].verdict == "approve"
    why = ("critical severity" if incident.severity == Severity.CRITICAL
           else "the protected-activity screen is not clearly negative")
    gates.append(Gate("legal_review", "Legal review", needs_legal, legal_ok or not needs_legal,
                      (f"Approved by {legal[-1].reviewer}" if legal_ok else
                       f"Required because {why}; legal must approve."
                       + (" Legal raised concerns." if legal and not legal_ok else ""))
                      if needs_legal else "Not required: screen clear and below critical."))
    return gates


def missing_gates(incident: Incident, *, now: datetime | None = None) -> list[Gate]:
    return [g for g in incident_gates(incident, now=now) if g.required and not g.ok]


@transaction.atomic
def incident_decide(*, incident: Incident, actor: User, outcome: str,
                    justification: str = "") -> Incident:
    """Record a person's decision. Refused until every gate passed; an outcome other than the
    matrix suggestion needs a written justification. Records only: nothing is sent or done to
    the employee automatically."""
    _require_role(actor, Role.HR, doing="record decisions")
    # Lock the row so two people cannot record two decisions; refresh the caller's object.
    Incident.objects.select_for_update().filter(pk=incident.pk).first()
    incident.refresh_from_db()
    if incident.status != Incident.Status.IN_REVIEW:
        raise Conflict(f"This incident is {incident.get_status_display().lower()}; a decision "
                       "can only be recorded while it is in review (after the employee was told).")
    missing = missing_gates(incident)
    if missing:
        raise Conflict("Not yet: " + "; ".join(f"{g.label}: {g.detail}" for g in missing))
    if outcome not in Outcome.values:
        raise InvalidInput("Choose the outcome.", field="outcome")
    justification = justification.strip()
    deviated = outcome != incident.suggested_response
    if deviated and len(justification) < 20:
        raise InvalidInput(
            f"The matrix suggests {incident.get_suggested_response_display()}; you chose "
            f"{Outcome(outcome).label}. Write why (at least 20 characters): the facts that "
            "make this case different.", field="justification")
    incident.outcome, incident.deviated, incident.justification = outcome, deviated, justification
    incident.decided_by, incident.decided_at = actor, timezone.now()
    incident.save(update_fields=["outcome", "deviated", "justification", "decided_by",
                                 "decided_at", "updated_at"])
    _set_status(incident, actor, Incident.Status.DECIDED, "Decision recorded")
    _event(incident, actor, IncidentEvent.Kind.DECIDED,
           f"Decided: {incident.get_outcome_display()}"
           + (f" (matrix suggested {incident.get_suggested_response_display()})"
              if deviated else " (as suggested)"), note=justification)
    _audit(incident, actor, "incident.decided", outcome=outcome,
           suggested=incident.suggested_response, deviated=deviated,
           matrix=incident.matrix.number if incident.matrix else None)
    return incident


@transaction.atomic
def incident_close(*, incident: Incident, actor: User, note: str = "") -> Incident:
    """Close a decided incident, or dismiss an undecided one (a note saying why is required).
    The evidence retention period starts now."""
    _require_role(actor, Role.HR, doing="close incidents")
    if incident.status == Incident.Status.CLOSED:
        raise Conflict("This incident is already closed.")
    dismissing = incident.status != Incident.Status.DECIDED
    if dismissing and not note.strip():
        raise InvalidInput("Say why the incident is dismissed without a decision "
                           "(e.g. the facts could not be established).", field="note")
    incident.closed_at, incident.closing_note = timezone.now(), note.strip()
    incident.save(update_fields=["closed_at", "closing_note", "updated_at"])
    _set_status(incident, actor, Incident.Status.CLOSED,
                ("Dismissed without a decision: " if dismissing else "Closed: ") + note.strip())
    _audit(incident, actor, "incident.closed", dismissed=dismissing)
    return incident


# --------------------------------------------------------------------------- containment, sharing


@transaction.atomic
def incident_contain(*, incident: Incident, actor: User, action: str, note: str) -> Incident:
    """Containment, separate from discipline and allowed before any decision: ask for a
    take-down, or pause/resume the person's advocacy access. A take-down is refused while the
    post may be protected activity, unless legal approved."""
    _require_role(actor, Role.HR, doing="take containment steps")
    if incident.subject is None:
        raise InvalidInput("Choose who this incident concerns first.", field="subject")
    if not note.strip():
        raise InvalidInput("Say why this step is needed.", field="note")
    if action == "takedown":
        legal_ok = incident.reviews.filter(kind="legal", verdict="approve").exists()
        if not (screen_clearly_negative(incident) or legal_ok):
            raise Conflict("A take-down may only be asked for when the protected-activity "
                           "screen is clearly negative, or legal approved it: never ask "
                           "someone to delete a post about working conditions.")
        summary = "Take-down requested"
    elif action in ("pause_advocacy", "resume_advocacy"):
        pause = action == "pause_advocacy"
        person_set_advocacy_paused(person=incident.subject, paused=pause, actor=actor,
                                   reason=f"{incident.reference}: {note.strip()}"[:300])
        summary = "Advocacy access paused" if pause else "Advocacy access resumed"
    else:
        raise InvalidInput("Choose a containment step.", field="action")
    _event(incident, actor, IncidentEvent.Kind.CONTAINMENT, summary, note=note.strip())
    _audit(incident, actor, "incident.containment", step=action)
    return incident


@transaction.atomic
def incident_share(*, incident: Incident, actor: User, manager: User) -> IncidentShare:
    """Share an incident with one of the subject's managers (direct or higher up)."""
    _require_role(actor, Role.HR, doing="share incidents")
    if manager.organization_id != incident.organization_id or not manager.has_role(Role.MANAGER):
        raise InvalidInput("Choose a manager in your organization.", field="manager")
    person = manager.person
    if incident.subject is None or person is None or \
            incident.subject_id not in person_team_ids(person=person):
        raise InvalidInput(f"{manager} does not manage {incident.subject or 'this person'}; "
                           "incidents are only shared with the person's own managers.",
                           field="manager")
    share, created = IncidentShare.objects.get_or_create(
        incident=incident, user=manager,
        defaults={"organization_id": incident.organization_id, "shared_by": actor})
    if created:
        _event(incident, actor, IncidentEvent.Kind.SHARED, f"Shared with {manager}")
        _audit(incident, actor, "incident.shared", manager=manager.pk)
    return share


@transaction.atomic
def incident_unshare(*, incident: Incident, actor: User, manager_id: int) -> None:
    _require_role(actor, Role.HR, doing="share incidents")
    deleted, _ = IncidentShare.objects.filter(incident=incident, user_id=manager_id).delete()
    if deleted:
        _event(incident, actor, IncidentEvent.Kind.SHARED, "Sharing with a manager withdrawn")
        _audit(incident, actor, "incident.unshared", manager=manager_id)


# --------------------------------------------------------------------------- retention


@transaction.atomic
def incident_set_legal_hold(*, incident: Incident, actor: User, hold: bool,
                            reason: str) -> Incident:
    """Set or release a legal hold; while set, the retention purge leaves the evidence alone."""
    _require_role(actor, Role.LEGAL, doing="set legal holds")
    if hold and not reason.strip():
        raise InvalidInput("Give the reason for the hold (e.g. the matter it preserves).",
                           field="reason")
    incident.legal_hold, incident.legal_hold_reason = hold, reason.strip()[:300] if hold else ""
    incident.save(update_fields=["legal_hold", "legal_hold_reason", "updated_at"])
    _event(incident, actor, IncidentEvent.Kind.LEGAL_HOLD,
           "Legal hold set" if hold else "Legal hold released", note=reason.strip())
    _audit(incident, actor, "incident.legal_hold_set" if hold else "incident.legal_hold_released",
           reason=reason.strip())
    return incident


def _delete_files(names: list[str]) -> None:
    storage = Evidence._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def evidence_purge_expired(*, now: datetime | None = None) -> int:
    """Delete the content of evidence whose incident closed more than its matrix's
    `retention_days` ago (365 without a matrix), unless a legal hold is set. Hashes and
    metadata stay; each purged incident gets a timeline row and an audit entry. Returns the
    number of incidents purged. Each incident is purged in its own transaction."""
    now = now or timezone.now()
    candidates = (Incident.objects.filter(status=Incident.Status.CLOSED, legal_hold=False,
                                          evidence_purged_at__isnull=True,
                                          closed_at__isnull=False)
                  .select_related("matrix", "organization"))
    purged = 0
    for incident in candidates.iterator():
        days = incident.matrix.retention_days if incident.matrix else 365
        if incident.closed_at + timedelta(days=days) > now:
            continue
        with transaction.atomic():
            locked = Incident.objects.select_for_update().get(pk=incident.pk)
            if locked.legal_hold or locked.evidence_purged_at:
                continue
            items = list(locked.evidence.filter(purged_at__isnull=True))
            files = [e.file.name for e in items if e.file]
            for evidence in items:
                evidence.text, evidence.url, evidence.purged_at = "", "", now
                evidence.file = ""
                evidence.save(update_fields=["text", "url", "file", "purged_at", "updated_at"])
            locked.evidence_purged_at = now
            locked.save(update_fields=["evidence_purged_at", "updated_at"])
            _event(locked, None, IncidentEvent.Kind.EVIDENCE_PURGED,
                   f"{len(items)} evidence item(s) purged after {days} days of retention")
            _audit(locked, None, "incident.evidence_purged", items=len(items),
                   retention_days=days, hashes=[e.sha256 for e in items])
            # Files go only once the database agrees, so a rollback never loses evidence.
            transaction.on_commit(partial(_delete_files, files))
        purged += 1
    return purged
