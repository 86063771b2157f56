"""What every speak-up write shares: the key, the clocks, events with their audit entry,
who may handle a concern, and telling people."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q, QuerySet
from django.urls import reverse

from chorus.audit.services import audit_record
from chorus.common.errors import InvalidInput, PermissionDenied
from chorus.people.models import Organization, User
from chorus.speakup.models import (
    JURISDICTIONS,
    ChannelSettings,
    ClockRule,
    Concern,
    ConcernEvent,
)

ANONYMOUS = "anonymous reporter"  # the audit actor of the reporter's writes: never a user
KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: keys are copied by hand
MAX_TEXT = 10_000
HANDLER_ROLES = ("hr", "legal")


def generate_key() -> str:
    # 20 symbols of a 32-letter alphabet: 100 bits, far beyond guessing through the key page.
    raw = "".join(secrets.choice(KEY_ALPHABET) for _ in range(20))
    return "-".join(raw[i : i + 5] for i in range(0, 20, 5))


def key_hash(key: str) -> str:
    normalized = "".join(ch for ch in (key or "").upper() if ch.isalnum())
    return hashlib.sha256(f"speakup:{normalized}".encode()).hexdigest()


def clean_text(value: str, *, field: str, label: str, required: bool,
               limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"Write {label}.", field=field)
    if len(value) > limit:
        raise InvalidInput(f"Keep {label} under {limit:,} characters (it is {len(value):,}).",
                           field=field)
    return value


def channel_settings(organization: Organization) -> ChannelSettings:
    found, _ = ChannelSettings.objects.get_or_create(organization=organization)
    return found


def handlers_of(organization: Organization) -> QuerySet[User]:
    """The channel's handlers: those named in the settings, else every HR and legal user."""
    chosen = channel_settings(organization).handlers.filter(is_active=True)
    if chosen.exists():
        return chosen.order_by("pk")
    return (User.objects.filter(organization=organization, is_active=True)
            .filter(Q(groups__name__in=HANDLER_ROLES) | Q(groups__name="admin"))
            .distinct().order_by("pk"))


def is_handler(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.organization_id:
        return False
    return handlers_of(user.organization).filter(pk=user.pk).exists()


def is_custodian(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.organization_id:
        return False
    return channel_settings(user.organization).custodians.filter(pk=user.pk,
                                                                  is_active=True).exists()


def can_handle(user: User, concern: Concern) -> bool:
    return (concern.organization_id == user.organization_id and is_handler(user)
            and not concern.excluded_users.filter(pk=user.pk).exists())


def require_handler(user: User, concern: Concern) -> None:
    if not can_handle(user, concern):
        raise PermissionDenied("You cannot act on this concern: you are not one of its "
                               "handlers, or it names you.")


def clocks_for(organization: Organization, jurisdiction: str) -> tuple[int, int, int, int]:
    """(ack_days, feedback_days, remind_ack_days, remind_feedback_days) for a jurisdiction."""
    rule = ClockRule.objects.filter(organization=organization, jurisdiction=jurisdiction).first()
    if rule:
        return rule.ack_days, rule.feedback_days, rule.remind_ack_days, rule.remind_feedback_days
    base = JURISDICTIONS.get(jurisdiction, JURISDICTIONS["EU"])
    return base.ack_days, base.feedback_days, 2, 14


def feedback_due(concern: Concern, feedback_days: int) -> datetime:
    """Art. 9(1)(f): three months from the acknowledgment, or from the end of the seven days
    when no acknowledgment was sent."""
    start = concern.acknowledged_at or concern.ack_due_at
    return start + timedelta(days=feedback_days)


def record(*, concern: Concern, actor: User | None, kind: str, action: str, note: str = "",
           data: dict[str, Any] | None = None, audit_actor: Any = None) -> ConcernEvent:
    """The concern's history row and its audit entry, together."""
    event = ConcernEvent.objects.create(organization_id=concern.organization_id,
                                        concern=concern, actor=actor, kind=kind, note=note)
    audit_record(organization=concern.organization, actor=audit_actor or actor, action=action,
                 target=concern, data=data)
    return event


def staff_link(concern: Concern) -> str:
    return reverse("speakup:detail", args=[concern.pk])


def notify_staff(*, concern: Concern, kind: str, title: str, recipients: list[User],
                 dedupe_key: str = "") -> None:
    """Tell staff through the one notification service; never anyone the concern names."""
    from chorus.notifications.services import notify

    excluded = set(concern.excluded_users.values_list("pk", flat=True))
    notify(kind=kind, recipients=[u for u in recipients if u.pk not in excluded],
           organization=concern.organization, title=title, link=staff_link(concern),
           dedupe_key=dedupe_key)


def mail_reporter_contact(concern: Concern) -> bool:
    """Tell an anonymous reporter, at the contact they chose, that there is an update.

    Sent straight through the mail path (as `chorus.reports.services.base._notify` does), not
    `notify()`: the reporter is not a user and must never become one, so nothing about them can
    sit in the notification center, its preferences or its delivery log next to their
    colleagues' accounts. The e-mail says only that there is an update and where to read it
    with the key: no reference, category or text of the report, because the mailbox may be
    read by others and mail servers keep copies.
    """
    if not concern.contact_email:
        return False
    path = reverse("speakup_public:follow-up")
    body = (
        "Hello,\n\nThere is an update on the report you sent through your employer's "
        "speak-up channel.\n\n"
        f"Read it with your report key at {settings.SITE_URL}{path}\n\n"
        "We do not put anything about the report in e-mail. If you did not send a report, "
        "ignore this message.\n"
    )
    send_mail("An update on your report", body, settings.DEFAULT_FROM_EMAIL,
              [concern.contact_email], fail_silently=False)
    return True
