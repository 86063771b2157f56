"""Invitations and reminders for open assignments, each sent at most once per key."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from chorus.administration.services import sender_for
from chorus.audit.services import audit_record
from chorus.common.errors import Conflict
from chorus.onboarding.models import Assignment, Campaign, OnboardingSettings, Reminder
from chorus.onboarding.services.attestation import attestation_link_create, attestation_url
from chorus.onboarding.services.base import _require_hr
from chorus.onboarding.services.texts import onboarding_settings_for
from chorus.people.models import Person, User

logger = logging.getLogger(__name__)


# Notification kinds per reminder kind (registered in OnboardingConfig.ready()).
NOTIFY_KIND: dict[str, str] = {
    Reminder.Kind.INVITE: "onboarding.attestation_requested",
    Reminder.Kind.REMINDER: "onboarding.attestation_reminder",
    Reminder.Kind.NUDGE: "onboarding.attestation_reminder",
    Reminder.Kind.ESCALATION: "onboarding.attestation_overdue",
}


def _send(*, assignment: Assignment, kind: str, key: str, to: str, subject: str,
          template: str, context: dict[str, Any], sent_by: User | None = None,
          user: User | None = None, link: str = "") -> bool:
    """Record the reminder and hand it over once: if the key exists it went out already and
    nothing happens. A person with an account is told through the notification service (their
    channels and quiet hours; e-mail retried by the delivery task); a candidate without an
    account only has an address, so the e-mail with their personal link goes straight to it
    (if sending fails the record rolls back and the next run retries)."""
    try:
        with transaction.atomic():
            Reminder.objects.create(organization_id=assignment.organization_id,
                                    assignment=assignment, kind=kind, key=key,
                                    recipient_email=to, sent_by=sent_by)
            body = render_to_string(template, context)
            if user is not None and user.is_active:
                from chorus.notifications.services import notify

                notify(kind=NOTIFY_KIND[kind], recipients=[user],
                       organization=assignment.organization, title=subject, body=body.strip(),
                       link=link or reverse("onboarding:me"), dedupe_key=key)
            else:
                send_mail(subject, body, sender_for(assignment.organization), [to])
    except IntegrityError:
        return False
    return True


def _account(person: Person | None) -> User | None:
    return getattr(person, "user", None) if person is not None and person.user_id else None


def _person_context(assignment: Assignment) -> dict[str, Any]:
    person = assignment.person
    if person.user_id:
        url = settings.SITE_URL + reverse("onboarding:me")
    else:
        url = attestation_url(attestation_link_create(assignment=assignment, actor=None))
    return {"assignment": assignment, "person": person, "url": url,
            "organization": person.organization, "version": assignment.version}


def assignment_invite(*, assignment: Assignment) -> bool:
    """Send the first e-mail for an assignment (once; reruns send nothing)."""
    if assignment.status != Assignment.Status.PENDING:
        return False
    if Reminder.objects.filter(key=f"a{assignment.pk}:invite").exists():
        return False
    subject = (f"Please re-read our social media policy (version {assignment.version.number})"
               if assignment.is_reattest else "Please read our social media policy")
    return _send(assignment=assignment, kind=Reminder.Kind.INVITE,
                 key=f"a{assignment.pk}:invite", to=assignment.person.email, subject=subject,
                 template="onboarding/email/invite.txt", context=_person_context(assignment),
                 user=_account(assignment.person))


@dataclass(frozen=True)
class ReminderRun:
    reminders: int
    escalations: int


def reminders_send(*, now: datetime.datetime | None = None) -> ReminderRun:
    """Remind people with pending assignments every `reminder_every_days`, and tell their
    manager (or, without one, whoever started the campaign) once after `escalate_after_days`.
    Idempotent: each e-mail has a unique key (assignment, kind, period), so a rerun in the
    same period sends nothing. Leavers, closed campaigns and not-hired candidates are skipped."""
    now = now or timezone.now()
    reminders = escalations = 0
    pending = (Assignment.objects.filter(status=Assignment.Status.PENDING,
                                         campaign__closed_at__isnull=True)
               .exclude(person__status=Person.Status.LEAVER)
               .select_related("person", "person__manager", "person__organization", "version",
                               "version__policy", "campaign", "campaign__created_by")
               .order_by("pk"))
    settings_by_org: dict[int, OnboardingSettings] = {}
    sent = set(Reminder.objects.filter(assignment__in=pending).values_list("key", flat=True))
    for assignment in pending.iterator(chunk_size=500):
        org = assignment.person.organization
        if org.pk not in settings_by_org:
            settings_by_org[org.pk] = onboarding_settings_for(organization=org)
        row = settings_by_org[org.pk]
        days = (now - assignment.assigned_at).days
        period = days // row.reminder_every_days
        key = f"a{assignment.pk}:reminder:{period}"
        if period >= 1 and key not in sent and _send(
                assignment=assignment, kind=Reminder.Kind.REMINDER, key=key,
                to=assignment.person.email,
                subject="Reminder: please read our social media policy",
                template="onboarding/email/reminder.txt",
                context={**_person_context(assignment), "days": days},
                user=_account(assignment.person)):
            reminders += 1
        key = f"a{assignment.pk}:escalation"
        if days >= row.escalate_after_days and key not in sent:
            manager = assignment.person.manager
            to = manager.email if manager else getattr(assignment.campaign.created_by, "email",
                                                       "")
            if to and _send(assignment=assignment, kind=Reminder.Kind.ESCALATION, key=key,
                            to=to, subject=f"{assignment.person.full_name} has not yet "
                            "acknowledged the social media policy",
                            template="onboarding/email/escalation.txt",
                            context={"assignment": assignment, "person": assignment.person,
                                     "days": days, "manager": manager,
                                     "url": settings.SITE_URL + reverse("onboarding:overview")},
                            user=_account(manager) if manager else assignment.campaign.created_by,
                            link=reverse("onboarding:overview")):
                escalations += 1
    if reminders or escalations:
        logger.info("attestation reminders: %s sent, %s escalated", reminders, escalations)
    return ReminderRun(reminders, escalations)


@transaction.atomic
def assignment_nudge(*, assignment: Assignment, actor: User) -> bool:
    """HR sends a personal reminder now; at most one per assignment per day."""
    _require_hr(actor, "send nudges")
    if assignment.status != Assignment.Status.PENDING:
        raise Conflict(f"{assignment.person.full_name} has nothing pending here.")
    today = timezone.now().date().isoformat()
    sent = _send(assignment=assignment, kind=Reminder.Kind.NUDGE,
                 key=f"a{assignment.pk}:nudge:{today}", to=assignment.person.email,
                 subject="A reminder from HR: please read our social media policy",
                 template="onboarding/email/reminder.txt",
                 context={**_person_context(assignment), "nudged_by": actor,
                          "days": (timezone.now() - assignment.assigned_at).days},
                 sent_by=actor, user=_account(assignment.person))
    if sent:
        audit_record(organization=actor.organization, actor=actor, action="onboarding.nudged",
                     target=assignment.person, data={"assignment": assignment.pk})
    return sent


@dataclass(frozen=True)
class RemindPreview:
    """Who "Remind all pending" would e-mail now, and who it skips and why."""

    to_send: list[Assignment]
    skipped: list[tuple[Assignment, str]]


def campaign_remind_preview(*, campaign: Campaign, actor: User) -> RemindPreview:
    """The pending requests of an open campaign: those that get a reminder now, and those
    skipped (already reminded today, no e-mail address)."""
    _require_hr(actor, "send reminders")
    today = timezone.now().date().isoformat()
    pending = list(campaign.assignments.filter(status=Assignment.Status.PENDING)
                   .select_related("person", "person__department").order_by("person__full_name"))
    reminded = set(Reminder.objects.filter(
        key__in=[f"a{a.pk}:nudge:{today}" for a in pending]).values_list("assignment_id",
                                                                          flat=True))
    to_send, skipped = [], []
    for a in pending:
        if a.pk in reminded:
            skipped.append((a, "already reminded today"))
        elif not a.person.email:
            skipped.append((a, "no e-mail address on record"))
        else:
            to_send.append(a)
    return RemindPreview(to_send=to_send, skipped=skipped)


def campaign_remind_pending(*, campaign: Campaign, actor: User,
                            expected: int | None = None) -> int:
    """Send "Remind all pending": one personal reminder to each pending person who was not
    reminded today. `expected` is the count the preview showed: if it changed meanwhile,
    nothing is sent and the preview must be looked at again. Returns how many were sent."""
    if campaign.closed_at is not None:
        raise Conflict("This campaign is closed; there is nobody to remind.")
    preview = campaign_remind_preview(campaign=campaign, actor=actor)
    if expected is not None and expected != len(preview.to_send):
        raise Conflict(f"The list changed since you looked at it: {len(preview.to_send)} "
                       "people would get a reminder now. Check the preview again.")
    sent = sum(1 for a in preview.to_send if assignment_nudge(assignment=a, actor=actor))
    audit_record(organization=actor.organization, actor=actor,
                 action="onboarding.campaign_reminded", target=campaign, data={"sent": sent})
    return sent
