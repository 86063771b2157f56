"""The legal clocks: their state on each concern, reminders before and escalation after a
deadline (a periodic task, safe to repeat), and the register of on-time rates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from chorus.people.models import Organization, User
from chorus.speakup.models import Concern
from chorus.speakup.services.base import channel_settings, handlers_of, notify_staff, record


@dataclass(frozen=True)
class Clock:
    label: str
    due_at: datetime
    done_at: datetime | None
    state: str  # met | late | overdue | due_soon | running

    @property
    def badge(self) -> str:
        return {"met": "ok", "late": "warn", "overdue": "overdue", "due_soon": "warn",
                "running": "info"}[self.state]

    @property
    def state_label(self) -> str:
        return {"met": "Met", "late": "Met late", "overdue": "Overdue", "due_soon": "Due soon",
                "running": "Running"}[self.state]


def _state(due: datetime, done: datetime | None, remind_days: int, now: datetime) -> str:
    if done is not None:
        return "met" if done <= due else "late"
    if now >= due:
        return "overdue"
    return "due_soon" if due - now <= timedelta(days=remind_days) else "running"


def concern_clocks(concern: Concern, now: datetime | None = None) -> list[Clock]:
    """The acknowledgment and feedback clocks as staff and the reporter see them."""
    now = now or timezone.now()
    closed_at = concern.closed_at if concern.is_closed else None
    return [
        Clock("Acknowledge receipt", concern.ack_due_at, concern.acknowledged_at,
              _state(concern.ack_due_at, concern.acknowledged_at, concern.remind_ack_days, now)),
        Clock("Feedback to the reporter", concern.feedback_due_at,
              concern.feedback_at or (closed_at if closed_at and concern.feedback_at else None),
              _state(concern.feedback_due_at, concern.feedback_at, concern.remind_feedback_days,
                     now)),
    ]


def _claim(concern: Concern, field: str) -> bool:
    # A conditional update claims the step: a repeated or concurrent run never sends twice.
    return bool(Concern.objects.filter(pk=concern.pk, **{f"{field}__isnull": True})
                .update(**{field: timezone.now()}))


def _lead_and_admins(concern: Concern) -> list[User]:
    lead = channel_settings(concern.organization).lead
    people = [lead] if lead else []
    people += list(User.objects.filter(organization_id=concern.organization_id, is_active=True,
                                       groups__name="admin"))
    return people


def concern_clocks_run(*, now: datetime | None = None) -> dict[str, int]:
    """Remind the handler before each deadline and escalate to the lead (or the admins) after
    it, once per concern and step. Idempotent: each step is claimed by a timestamp first."""
    now = now or timezone.now()
    counts = {"ack_reminded": 0, "ack_escalated": 0, "feedback_reminded": 0,
              "feedback_escalated": 0}
    open_ = Concern.objects.exclude(status=Concern.Status.CLOSED).select_related("organization")
    for concern in open_.filter(acknowledged_at__isnull=True).iterator():
        handler = [concern.handler] if concern.handler else list(handlers_of(concern.organization))
        due = concern.ack_due_at
        if (now >= due - timedelta(days=concern.remind_ack_days) and now < due
                and concern.ack_reminded_at is None):
            with transaction.atomic():
                if _claim(concern, "ack_reminded_at"):
                    notify_staff(concern=concern, kind="speakup.reminder",
                                 title=f"Acknowledge {concern.reference} by "
                                       f"{timezone.localtime(due):%d %b %Y %H:%M}",
                                 recipients=handler, dedupe_key=f"speakup:{concern.pk}:ack-remind")
                    counts["ack_reminded"] += 1
        if now >= due and concern.ack_escalated_at is None:
            with transaction.atomic():
                if _claim(concern, "ack_escalated_at"):
                    notify_staff(concern=concern, kind="speakup.escalated",
                                 title=f"Overdue: {concern.reference} was not acknowledged "
                                       "within the legal period",
                                 recipients=[*handler, *_lead_and_admins(concern)],
                                 dedupe_key=f"speakup:{concern.pk}:ack-escalate")
                    record(concern=concern, actor=None, kind="escalated",
                           action="speakup.escalated", note="Acknowledgment deadline passed.",
                           data={"clock": "acknowledgment"})
                    counts["ack_escalated"] += 1
    for concern in open_.filter(feedback_at__isnull=True).iterator():
        handler = [concern.handler] if concern.handler else list(handlers_of(concern.organization))
        due = concern.feedback_due_at
        if (now >= due - timedelta(days=concern.remind_feedback_days) and now < due
                and concern.feedback_reminded_at is None):
            with transaction.atomic():
                if _claim(concern, "feedback_reminded_at"):
                    notify_staff(concern=concern, kind="speakup.reminder",
                                 title=f"Give feedback on {concern.reference} by "
                                       f"{timezone.localtime(due):%d %b %Y}",
                                 recipients=handler,
                                 dedupe_key=f"speakup:{concern.pk}:feedback-remind")
                    counts["feedback_reminded"] += 1
        if now >= due and concern.feedback_escalated_at is None:
            with transaction.atomic():
                if _claim(concern, "feedback_escalated_at"):
                    notify_staff(concern=concern, kind="speakup.escalated",
                                 title=f"Overdue: no feedback on {concern.reference} within "
                                       "the legal period",
                                 recipients=[*handler, *_lead_and_admins(concern)],
                                 dedupe_key=f"speakup:{concern.pk}:feedback-escalate")
                    record(concern=concern, actor=None, kind="escalated",
                           action="speakup.escalated", note="Feedback deadline passed.",
                           data={"clock": "feedback"})
                    counts["feedback_escalated"] += 1
    return counts


@dataclass
class RegisterRow:
    clock: str
    total: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    running: int = 0

    @property
    def decided(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def rate(self) -> str:
        return f"{100 * self.on_time / self.decided:.0f}%" if self.decided else "—"


def clock_register(*, organization: Organization, since: date, until: date,
                   now: datetime | None = None) -> dict[str, Any]:
    """On-time rates of both clocks for the concerns received between two days (inclusive),
    overall and per category: what a register of reports (HinSchG § 11) needs to show."""
    now = now or timezone.now()
    concerns = list(Concern.objects.filter(organization=organization,
                                           received_at__date__gte=since,
                                           received_at__date__lte=until))
    def tally(rows: list[Concern]) -> list[RegisterRow]:
        out = [RegisterRow("Acknowledgment (7 days)"), RegisterRow("Feedback (3 months)")]
        for c in rows:
            for row, clock in zip(out, concern_clocks(c, now), strict=True):
                row.total += 1
                key = {"met": "on_time", "late": "late", "overdue": "overdue"}.get(clock.state,
                                                                                   "running")
                setattr(row, key, getattr(row, key) + 1)
        return out
    categories: dict[str, list[Concern]] = {}
    for c in concerns:
        categories.setdefault(c.category_label, []).append(c)
    return {"total": len(concerns), "overall": tally(concerns),
            "by_category": [(label, tally(rows)) for label, rows in sorted(categories.items())],
            "concerns": concerns}


@transaction.atomic
def clock_rule_save(*, organization: Organization, actor: User, jurisdiction: str,
                    ack_days: int, feedback_days: int, remind_ack_days: int = 2,
                    remind_feedback_days: int = 14) -> Any:
    """Set an organization's clocks for a jurisdiction: never longer than the Directive's."""
    from chorus.audit.services import audit_record
    from chorus.common.errors import InvalidInput, PermissionDenied
    from chorus.speakup.models import JURISDICTIONS, ClockRule

    if not actor.has_role("admin") or actor.organization_id != organization.pk:
        raise PermissionDenied("Only an administrator can set the legal clocks.")
    if jurisdiction not in JURISDICTIONS:
        raise InvalidInput("Choose a jurisdiction from the list.", field="jurisdiction")
    if not 1 <= ack_days <= 7:
        raise InvalidInput("Acknowledge within 1 to 7 days (the law allows at most 7).",
                           field="ack_days")
    if not 1 <= feedback_days <= 91:
        raise InvalidInput("Give feedback within 1 to 91 days (the law allows at most three "
                           "months).", field="feedback_days")
    if not 0 <= remind_ack_days < ack_days:
        raise InvalidInput("Remind before the acknowledgment deadline, not after it.",
                           field="remind_ack_days")
    if not 0 <= remind_feedback_days < feedback_days:
        raise InvalidInput("Remind before the feedback deadline, not after it.",
                           field="remind_feedback_days")
    rule, _ = ClockRule.objects.update_or_create(
        organization=organization, jurisdiction=jurisdiction,
        defaults={"ack_days": ack_days, "feedback_days": feedback_days,
                  "remind_ack_days": remind_ack_days,
                  "remind_feedback_days": remind_feedback_days})
    audit_record(organization=organization, actor=actor, action="speakup.clocks_set",
                 target=rule, data={"jurisdiction": jurisdiction, "ack_days": ack_days,
                                    "feedback_days": feedback_days})
    return rule


@transaction.atomic
def channel_settings_save(*, organization: Organization, actor: User, handlers: list[User],
                          custodians: list[User], lead: User | None) -> Any:
    """Name the channel's handlers, its identity custodians and the lead for escalations."""
    from chorus.audit.services import audit_record
    from chorus.common.errors import InvalidInput, PermissionDenied

    if not actor.has_role("admin") or actor.organization_id != organization.pk:
        raise PermissionDenied("Only an administrator can name handlers and custodians.")
    for user in [*handlers, *custodians, *([lead] if lead else [])]:
        if user.organization_id != organization.pk:
            raise InvalidInput("Choose people of your organization.", field="handlers")
    found = channel_settings(organization)
    found.handlers.set(handlers)
    found.custodians.set(custodians)
    found.lead = lead
    found.save(update_fields=["lead", "updated_at"])
    audit_record(organization=organization, actor=actor, action="speakup.channel_set",
                 target=found, data={"handlers": [u.pk for u in handlers],
                                     "custodians": [u.pk for u in custodians],
                                     "lead": lead.pk if lead else None})
    return found
