"""What every report write shares: limits, the domain error and notification helpers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput
from chorus.reports.models import Report, ReportEvent, Submission

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


def _notify(
    kind: str, report: Report, recipients: Iterable[Any], title: str, body: str = "",
    link: str = "", dedupe_key: str = "",
) -> None:
    """Tell people about a report through the one notification service. Report kinds are
    sensitive: outside Chorus they carry a neutral title and the link only."""
    from chorus.notifications.services import notify

    users = [u for u in recipients if u is not None]
    if users:
        notify(kind=kind, recipients=users, organization=report.organization, title=title,
               body=body, link=link, dedupe_key=dedupe_key)  # fmt: skip


def mail_anonymous_contact(submission_id: int) -> bool:
    """Tell an anonymous reporter, at the private address they left, that there is an update.

    Sent through the mail path directly, not `notify()`: the reporter is not a user and must
    not become one in the notification center. The e-mail names nothing of the report (no
    reference, link, category or text), because a mailbox may be shared and servers keep copies.
    """
    submission = Submission.objects.filter(pk=submission_id, anonymous=True).first()
    if submission is None or not submission.contact_email:
        return False
    from django.core.mail import send_mail
    from django.urls import reverse

    from chorus.administration.services import sender_for

    send_mail(
        "An update on your report",
        "Hello,\n\nThere is an update on a report you sent anonymously. Read it with your "
        f"report key at {_absolute(reverse('reports_public:follow-up'))}\n\nWe do not put "
        "anything about the report in e-mail.\n",
        sender_for(submission.report.organization),
        [submission.contact_email],
        fail_silently=False,
    )
    return True


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def record_event(
    *, report: Report, actor: Any, kind: str, action: str, note: str = "",
    data: dict[str, Any] | None = None, audit_actor: Any = None, **event_fields: Any,
) -> ReportEvent:
    """Write a change's timeline row and its audit entry together, so the two never disagree.

    `audit_actor` stands in for `actor` in the audit trail (the anonymous reporter has no user).
    """
    event = ReportEvent.objects.create(
        organization_id=report.organization_id, report=report, actor=actor, kind=kind,
        note=note, **event_fields,
    )
    audit_record(
        organization=report.organization, actor=audit_actor or actor, action=action,
        target=report, data=data,
    )
    return event
