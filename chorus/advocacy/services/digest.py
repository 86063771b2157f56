"""The weekly digest e-mail, sent at most once per person and ISO week."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from chorus.advocacy.models import DigestDelivery
from chorus.notifications.services import notify
from chorus.people.models import Person, User

logger = logging.getLogger(__name__)


def _iso_week(day: datetime.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_send_weekly(*, now: datetime.datetime | None = None) -> int:
    """Tell each employee (notification service: e-mail by default, their channels and quiet
    hours apply) the items approved for them in the last seven days.

    Idempotent: a `DigestDelivery` row per person and ISO week is inserted before sending, in
    the same transaction, so a rerun (or a second worker) sends nothing twice and a failed send
    leaves no row, to be retried on the next run. People who opted out, leavers and paused
    advocates get nothing. Returns the number of e-mails sent.
    """
    from chorus.advocacy.selectors import feed_for

    now = now or timezone.now()
    week = _iso_week(now.date())
    since = now - datetime.timedelta(days=7)
    sent = 0
    recipients = (
        User.objects.filter(is_active=True, organization__isnull=False,
                            person_record__status=Person.Status.EMPLOYEE,
                            person_record__advocacy_paused_at__isnull=True)
        .exclude(advocate_profile__digest_opt_out=True)
        .select_related("organization", "person_record").order_by("pk")
    )
    for user in recipients.iterator(chunk_size=500):
        items = [i for i in feed_for(user=user, now=now) if (i.approved_at or now) >= since]
        if not items:
            continue
        try:
            with transaction.atomic():
                _, created = DigestDelivery.objects.get_or_create(
                    user=user, week=week,
                    defaults={"organization": user.org, "item_count": len(items)},
                )
                if not created:
                    continue
                context = {"user": user, "items": items, "site_url": settings.SITE_URL}
                notify(
                    kind="advocacy.digest", recipients=[user], organization=user.org,
                    title=f"{len(items)} new to share this week at {user.org.name}",
                    body=render_to_string("advocacy/email/digest.txt", context).strip(),
                    link=reverse("advocacy:feed"), dedupe_key=f"advocacy-digest:{week}",
                )
                sent += 1
        except Exception:
            # One bad address must not stop everyone else's digest; the missing row retries it.
            logger.exception("weekly digest to user %s failed", user.pk)
    return sent
