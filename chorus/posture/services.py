"""Quiet periods and crisis mode: the writes, and what other apps ask.

Guarantees:
- Crisis mode turns on only in two steps (request, then confirm with the code shown on the
  confirmation screen) by Communications or an administrator; every step is a `CrisisChange`
  row and an audit entry.
- Nothing outside this app is modified: the hub, screening and report routing read the
  posture where they apply, so turning crisis mode off restores the exact prior state.
- Quiet periods and crisis terms reach the engine as policy context
  (`chorus.screening.context_rules.apply_context`) through `context_rules_for`.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from chorus.people.models import Organization, User
from chorus.posture.models import CrisisChange, CrisisMode, CrisisReport, QuietPeriod
from chorus.screening.context_rules import ContextRule

MAX_TERMS = 50
SEVERITIES = ("high", "critical")


def can_manage(user: Any) -> bool:
    """Communications, legal and administrators set quiet periods and prepare crisis mode."""
    return bool(user.is_authenticated and (user.has_role("communications")
                                           or user.has_role("legal")))


def can_switch_crisis(user: Any) -> bool:
    """The switch itself: Communications or an administrator."""
    return bool(user.is_authenticated and user.has_role("communications"))


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise PermissionDenied(
            gettext("Only Communications, Legal or an administrator can %(what)s.") % {"what": what}
        )


def _terms(raw: Any, *, field: str) -> list[str]:
    if isinstance(raw, str):
        raw = re.split(r"[\n,]", raw)
    if not isinstance(raw, list):
        raise InvalidInput(gettext("Terms must be a list of words or phrases."), field=field)
    out: list[str] = []
    for term in raw:
        if not isinstance(term, str):
            raise InvalidInput(gettext("Each term must be text."), field=field)
        term = " ".join(term.split())
        if len(term) > 100:
            raise InvalidInput(
                gettext("“%(term)s…” is longer than 100 characters.") % {"term": term[:30]},
                field=field,
            )
        if term and term.casefold() not in {t.casefold() for t in out}:
            out.append(term)
    if len(out) > MAX_TERMS:
        raise InvalidInput(
            gettext("At most %(MAX_TERMS)s terms; you gave %(len)s.")
            % {"MAX_TERMS": MAX_TERMS, "len": len(out)},
            field=field,
        )
    return out


# --------------------------------------------------------------------------- quiet periods


@transaction.atomic
def quiet_period_create(
    *, organization: Organization, actor: User, name: str, kind: str, reason: str,
    starts_at: datetime, ends_at: datetime, terms: Any, severity: str = "critical",
) -> QuietPeriod:
    _require(can_manage(actor), "set quiet periods")
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(gettext("Name the quiet period, for example “Q4 earnings blackout”."),
                           field="name")
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput(
            gettext("Say why posting is restricted; employees read this."), field="reason"
        )
    if kind not in QuietPeriod.Kind.values:
        raise InvalidInput(
            gettext("Choose a kind: %(join)s.") % {"join": ", ".join(QuietPeriod.Kind.values)},
            field="kind",
        )
    if severity not in SEVERITIES:
        raise InvalidInput(gettext("Severity must be high (warns or blocks by preset) or critical "
                           "(always blocks)."), field="severity")
    if ends_at <= starts_at:
        raise InvalidInput(gettext("The end must be after the start."), field="ends_at")
    if ends_at <= timezone.now():
        raise InvalidInput(gettext("This window is already over; choose an end in the future."),
                           field="ends_at")
    clean = _terms(terms, field="terms")
    if not clean:
        raise InvalidInput(gettext("List at least one term that must not be mentioned (the ticker, "
                           "“results”, a codename)."), field="terms")
    period = QuietPeriod.objects.create(
        organization=organization, name=name[:120], kind=kind, reason=reason[:500],
        starts_at=starts_at, ends_at=ends_at, terms=clean, severity=severity, created_by=actor)
    audit_record(organization=organization, actor=actor, action="posture.quiet_created",
                 target=period, data={"name": period.name, "starts": starts_at.isoformat(),
                                      "ends": ends_at.isoformat(), "terms": len(clean)})
    return period


@transaction.atomic
def quiet_period_cancel(*, period: QuietPeriod, actor: User) -> QuietPeriod:
    _require(can_manage(actor), "cancel quiet periods")
    if period.cancelled_at is None:
        period.cancelled_at = timezone.now()
        period.save(update_fields=["cancelled_at", "updated_at"])
        audit_record(organization=period.organization, actor=actor,
                     action="posture.quiet_cancelled", target=period, data={"name": period.name})
    return period


def quiet_periods_for(*, organization: Organization) -> Any:
    return QuietPeriod.objects.filter(organization=organization, cancelled_at__isnull=True,
                                      ends_at__gt=timezone.now() - timedelta(days=30))


def quiet_period_get(*, user: Any, period_id: int) -> QuietPeriod:
    period = QuietPeriod.objects.filter(organization_id=user.organization_id,
                                        pk=period_id).first()
    if period is None:
        raise NotFound(gettext("No such quiet period in your organization."))
    return period


def active_quiet_periods(*, organization: Any, now: datetime | None = None) -> list[QuietPeriod]:
    now = now or timezone.now()
    return list(QuietPeriod.objects.filter(
        organization=organization, cancelled_at__isnull=True, starts_at__lte=now,
        ends_at__gt=now))


# --------------------------------------------------------------------------- crisis mode


def crisis_for(*, organization: Any) -> CrisisMode:
    crisis, _ = CrisisMode.objects.get_or_create(organization=organization)
    return crisis


def crisis_active(*, organization: Any) -> CrisisMode | None:
    """The active crisis of the organization, or None (one indexed read)."""
    if organization is None:
        return None
    return CrisisMode.objects.filter(organization=organization,
                                     active_since__isnull=False).first()


def _snapshot(crisis: CrisisMode) -> dict[str, Any]:
    return {"topic": crisis.topic, "terms": list(crisis.terms),
            "holding_statement": crisis.holding_statement, "contact": crisis.contact,
            "sla_hours": crisis.sla_hours,
            "response_team": sorted(crisis.response_team.values_list("pk", flat=True))}


@transaction.atomic
def crisis_request(
    *, organization: Organization, actor: User, topic: str, terms: Any,
    holding_statement: str, contact: str, sla_hours: int, response_team: list[User],
) -> CrisisMode:
    """Step one: record what crisis mode will do and hand back a confirmation code."""
    _require(can_switch_crisis(actor), "turn on crisis mode")
    crisis = CrisisMode.objects.select_for_update().get(pk=crisis_for(
        organization=organization).pk)
    if crisis.is_active:
        raise Conflict(gettext("Crisis mode is already on."))
    topic = " ".join((topic or "").split())
    if not topic:
        raise InvalidInput(gettext("Name the topic, for example “Warehouse fire in Lisbon”."),
                           field="topic")
    if not (holding_statement or "").strip():
        raise InvalidInput(
            gettext("Write the holding statement employees see (what we can say now)."),
            field="holding_statement",
        )
    if not (contact or "").strip():
        raise InvalidInput(gettext("Say who employees should contact (a name, e-mail or phone)."),
                           field="contact")
    if not isinstance(sla_hours, int) or not 1 <= sla_hours <= 72:
        raise InvalidInput(
            gettext("The crisis SLA must be between 1 and 72 hours."), field="sla_hours"
        )
    if any(u.organization_id != organization.pk for u in response_team):
        raise InvalidInput(gettext("The response team must be people of your organization."),
                           field="response_team")
    if not response_team:
        raise InvalidInput(gettext("Choose at least one person for the response team."),
                           field="response_team")
    clean = _terms(terms, field="terms") or [topic]
    crisis.topic, crisis.terms = topic[:200], clean
    crisis.holding_statement = holding_statement.strip()
    crisis.contact = contact.strip()[:300]
    crisis.sla_hours = sla_hours
    crisis.requested_by, crisis.requested_at = actor, timezone.now()
    crisis.confirm_code = secrets.token_hex(3).upper()
    crisis.save()
    crisis.response_team.set(response_team)
    CrisisChange.objects.create(organization=organization, crisis=crisis, actor=actor,
                                action=CrisisChange.Action.REQUESTED, snapshot=_snapshot(crisis))
    audit_record(organization=organization, actor=actor, action="posture.crisis_requested",
                 target=crisis, data={"topic": crisis.topic, "terms": len(clean)})
    return crisis


@transaction.atomic
def crisis_confirm(*, organization: Organization, actor: User, code: str) -> CrisisMode:
    """Step two: the typed confirmation code switches crisis mode on."""
    _require(can_switch_crisis(actor), "turn on crisis mode")
    crisis = CrisisMode.objects.select_for_update().get(pk=crisis_for(
        organization=organization).pk)
    if crisis.is_active:
        raise Conflict(gettext("Crisis mode is already on."))
    if not crisis.requested_at:
        raise InvalidInput(
            gettext("Prepare crisis mode first: topic, statement, contact and team."), field="code"
        )
    if timezone.now() - crisis.requested_at > timedelta(minutes=30):
        raise InvalidInput(gettext("This confirmation expired after 30 minutes. Prepare it again."),
                           field="code")
    if (code or "").strip().upper() != crisis.confirm_code:
        raise InvalidInput(
            gettext("The confirmation code does not match. Type the code shown above."),
            field="code",
        )
    crisis.active_since, crisis.activated_by = timezone.now(), actor
    crisis.confirm_code = ""
    crisis.save(update_fields=["active_since", "activated_by", "confirm_code", "updated_at"])
    CrisisChange.objects.create(organization=organization, crisis=crisis, actor=actor,
                                action=CrisisChange.Action.ON, snapshot=_snapshot(crisis))
    audit_record(organization=organization, actor=actor, action="posture.crisis_on",
                 target=crisis, data={"topic": crisis.topic,
                                      "requested_by": crisis.requested_by_id})
    transaction.on_commit(partial(_notify_team, crisis.pk, True))
    return crisis


@transaction.atomic
def crisis_off(*, organization: Organization, actor: User, note: str = "") -> CrisisMode:
    """Turn crisis mode off; everything it paused is as it was before."""
    _require(can_switch_crisis(actor), "turn off crisis mode")
    crisis = CrisisMode.objects.select_for_update().get(pk=crisis_for(
        organization=organization).pk)
    if not crisis.is_active:
        raise Conflict(gettext("Crisis mode is not on."))
    started = crisis.active_since
    crisis.active_since = None
    crisis.requested_at = None
    crisis.save(update_fields=["active_since", "requested_at", "updated_at"])
    snapshot = {**_snapshot(crisis), "started": started.isoformat() if started else None,
                "note": note.strip()[:300]}
    CrisisChange.objects.create(organization=organization, crisis=crisis, actor=actor,
                                action=CrisisChange.Action.OFF, snapshot=snapshot)
    audit_record(organization=organization, actor=actor, action="posture.crisis_off",
                 target=crisis, data={"topic": crisis.topic})
    transaction.on_commit(partial(_notify_team, crisis.pk, False))
    return crisis


@transaction.atomic
def crisis_cancel_request(*, organization: Organization, actor: User) -> CrisisMode:
    _require(can_switch_crisis(actor), "cancel crisis mode")
    crisis = crisis_for(organization=organization)
    if crisis.requested_at and not crisis.is_active:
        crisis.requested_at, crisis.confirm_code = None, ""
        crisis.save(update_fields=["requested_at", "confirm_code", "updated_at"])
        CrisisChange.objects.create(organization=organization, crisis=crisis, actor=actor,
                                    action=CrisisChange.Action.CANCELLED,
                                    snapshot=_snapshot(crisis))
        audit_record(organization=organization, actor=actor,
                     action="posture.crisis_request_cancelled", target=crisis, data={})
    return crisis


def _notify_team(crisis_id: int, on: bool) -> None:
    from chorus.notifications.services import notify

    crisis = CrisisMode.objects.select_related("organization").get(pk=crisis_id)
    team = list(crisis.response_team.filter(is_active=True))
    if not team:
        return
    notify(
        kind="posture.crisis_on", recipients=team, organization=crisis.organization,
        title=(f"Crisis mode is on: {crisis.topic}" if on
               else f"Crisis mode is off: {crisis.topic}"),
        body=(f"You are on the response team. New reports about “{crisis.topic}” go to the "
              f"crisis queue with a {crisis.sla_hours}-hour SLA. Employees see the holding "
              "statement; sharing is paused." if on else
              "Sharing and scheduled content are back as they were before."),
        link=reverse("posture:crisis-queue"),
        dedupe_key=f"crisis-{crisis.pk}-{'on' if on else 'off'}-{timezone.now():%Y%m%d%H%M}",
    )


# --------------------------------------------------------------------------- what others ask


def context_rules_for(*, organization: Any, now: datetime | None = None) -> list[ContextRule]:
    """The screening context now: one rule per active quiet period, plus crisis terms."""
    if organization is None:
        return []
    rules = [
        ContextRule(id=f"context.quiet.{p.pk}", title=f"Quiet period: {p.name}",
                    text=f"{p.reason} Until {timezone.localtime(p.ends_at):%d %b %Y %H:%M}.",
                    terms=tuple(p.terms), severity=p.severity)
        for p in active_quiet_periods(organization=organization, now=now)
    ]
    crisis = crisis_active(organization=organization)
    if crisis is not None:
        rules.append(ContextRule(
            id="context.crisis", title=f"Crisis: {crisis.topic}",
            text=f"Do not post about this while crisis mode is on. {crisis.holding_statement} "
                 f"Contact: {crisis.contact}.",
            terms=tuple(crisis.terms), severity="critical"))
    return rules


def _matches(terms: list[str], text: str) -> str:
    folded = text.casefold()
    for term in terms:
        if re.search(r"(?<!\w)" + re.escape(term.casefold()) + r"(?!\w)", folded):
            return term
    return ""


def on_report_created(*, report: Any, texts: list[str]) -> None:
    """Report hook: a new report on the crisis topic goes to the crisis queue: short SLA,
    assigned to the response team member with the fewest crisis reports."""
    crisis = crisis_active(organization=report.organization)
    if crisis is None:
        return
    matched = _matches([crisis.topic, *crisis.terms], "\n".join(t for t in texts if t))
    if not matched:
        return
    from django.apps import apps

    report_event = apps.get_model("reports", "ReportEvent")
    excluded = set(report.excluded_users.values_list("pk", flat=True))
    team = [u for u in crisis.response_team.filter(is_active=True).order_by("pk")
            if u.pk not in excluded]
    now = timezone.now()
    report.sla_hours = crisis.sla_hours
    report.due_at = now + timedelta(hours=crisis.sla_hours)
    fields = ["sla_hours", "due_at", "updated_at"]
    if team:
        loads = {u.pk: CrisisReport.objects.filter(crisis=crisis).count() for u in team}
        report.assignee = min(team, key=lambda u: (loads[u.pk], u.pk))
        fields.append("assignee")
    report.save(update_fields=fields)
    CrisisReport.objects.create(organization=report.organization, crisis=crisis,
                                report_id=report.pk, crisis_started=crisis.active_since or now,
                                matched=matched[:200])
    report_event.objects.create(
        organization_id=report.organization_id, report=report, actor=None, kind="routed",
        note=f"Crisis queue (“{crisis.topic}”): {crisis.sla_hours}-hour SLA"
             + (f", assigned to {report.assignee}." if team else "."))


def crisis_queue(*, user: Any) -> list[Any]:
    """Reports in the crisis queue of the current (or last) crisis, for the response team,
    HR and communications."""
    from django.apps import apps

    crisis = crisis_for(organization=user.organization)
    allowed = (user.has_role("hr") or user.has_role("communications")
               or crisis.response_team.filter(pk=user.pk).exists())
    if not allowed:
        raise PermissionDenied(gettext("The crisis queue is for the response team, HR and "
                               "Communications."))
    ids = list(CrisisReport.objects.filter(crisis=crisis).values_list("report_id", flat=True))
    report = apps.get_model("reports", "Report")
    return list(report.objects.filter(organization=user.organization, pk__in=ids)
                .select_related("assignee").order_by("due_at"))


def card_context(user: Any) -> dict[str, Any] | None:
    """Dashboard: the crisis banner and active quiet periods, for everyone."""
    organization = getattr(user, "organization", None)
    if organization is None:
        return None
    crisis = crisis_active(organization=organization)
    quiet = active_quiet_periods(organization=organization)
    if crisis is None and not quiet:
        return None
    return {"crisis": crisis, "quiet": quiet}


def banner_context(*, organization: Any) -> dict[str, Any]:
    """What the hub and the check page show employees."""
    return {"crisis": crisis_active(organization=organization),
            "quiet": active_quiet_periods(organization=organization)}
