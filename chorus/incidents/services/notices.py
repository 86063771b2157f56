"""Who is told about an incident step, through the notification service. Incident kinds are
sensitive (outside Chorus: a neutral title and the link) and the employee's are mandatory:
a right-to-respond deadline must never lapse unseen."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.urls import reverse

from chorus.incidents.models import Incident
from chorus.people.models import User
from chorus.people.roles import Role


def _employee(incident: Incident) -> User | None:
    subject = incident.subject
    return subject.user if subject is not None and subject.user_id else None


def _hr(incident: Incident) -> list[User]:
    if incident.owner is not None and incident.owner.is_active:
        return [incident.owner]
    return list(User.objects.filter(organization_id=incident.organization_id, is_active=True,
                                    groups__name=Role.HR).distinct())  # fmt: skip


def _send(kind: str, recipients: list[User], incident: Incident, title: str, body: str,
          link: str, key: str) -> None:
    from chorus.notifications.services import notify

    notify(kind=kind, recipients=recipients, organization=incident.organization, title=title,
           body=body, link=link, dedupe_key=key)  # fmt: skip


def after_employee_told(incident: Incident) -> None:
    employee = _employee(incident)
    if employee is None or incident.response_due_at is None:
        return
    due = incident.response_due_at
    transaction.on_commit(partial(
        _send, "incidents.response_requested", [employee], incident,
        f"Please respond by {due:%d %b %Y}",
        f"HR has written to you about a matter concerning you and you have the right to "
        f"respond before anything is decided. Your response window is open until "
        f"{due:%d %b %Y, %H:%M} UTC. You may ask for a meeting and bring a representative.",
        reverse("incidents:incident-respond", args=[incident.pk]), f"told:{incident.pk}",
    ))  # fmt: skip


def after_employee_responded(incident: Incident, *, by_employee: bool) -> None:
    if not by_employee:
        return
    transaction.on_commit(partial(
        _send, "incidents.employee_responded", _hr(incident), incident,
        f"{incident.subject} responded (incident #{incident.pk})",
        "The employee's response is on the incident page."
        + (" They asked for a meeting." if incident.response_meeting_requested else ""),
        reverse("incidents:incident-detail", args=[incident.pk]), f"responded:{incident.pk}",
    ))  # fmt: skip


def after_decided(incident: Incident) -> None:
    employee = _employee(incident)
    if employee is None:
        return
    transaction.on_commit(partial(
        _send, "incidents.decided", [employee], incident,
        f"A decision was recorded: {incident.get_outcome_display()}",
        "HR recorded a decision on the matter they wrote to you about. Read it, and your "
        "response, on your page; if you disagree, tell HR there: your disagreement is recorded "
        "with the case.",
        reverse("incidents:incident-respond", args=[incident.pk]), f"decided:{incident.pk}",
    ))  # fmt: skip
