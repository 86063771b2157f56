"""notify(): the one way Chorus tells a person something. Every app calls it."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from chorus.common.errors import NotFound
from chorus.notifications.kinds import IN_APP, get_kind
from chorus.notifications.models import Delivery, Notification

if TYPE_CHECKING:
    from chorus.people.models import Organization, User

MAX_TITLE = 200


def notify(
    *,
    kind: str,
    recipients: Iterable[User],
    organization: Organization,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str = "",
) -> list[Notification]:
    """Record a notification for each active recipient of `organization` and queue its
    delivery on the kind's channels after the surrounding transaction commits.

    Guarantees: recipients of another organization and inactive accounts are skipped; a
    repeated call with the same non-empty `dedupe_key` does not notify anyone twice; each
    (notification, channel) is delivered at most once even if the task runs again; a
    failing channel never blocks the others. `link` is a path inside Chorus ("/reports/3/").
    """
    spec = get_kind(kind)
    created: list[Notification] = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        if user.organization_id != organization.pk:
            continue
        seen.add(user.pk)
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    organization=organization, recipient=user, kind=spec.key,
                    title=title[:MAX_TITLE], body=body, link=link, dedupe_key=dedupe_key,
                )
        except IntegrityError:  # the same event was already notified (dedupe_key)
            continue
        created.append(notification)
        for channel in spec.default_channels:
            if channel == IN_APP:
                continue
            delivery = Delivery.objects.create(
                organization=organization, notification=notification, channel=channel
            )
            from chorus.notifications.tasks import deliver_notification_task

            transaction.on_commit(partial(deliver_notification_task.enqueue, delivery.pk))
    return created


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read (another person's id is a 404)."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise NotFound("That notification does not exist.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def delivery_run(*, delivery_id: int) -> dict[str, Any]:
    """Send one delivery once: a delivery already sent is left alone (safe to repeat)."""
    from chorus.notifications.channels import ChannelError, get_channel

    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update()
                    .select_related("notification", "notification__recipient",
                                    "notification__organization")
                    .filter(pk=delivery_id).first())
        if delivery is None or delivery.status in (Delivery.Status.SENT, Delivery.Status.SKIPPED):
            return {"delivery": delivery_id, "status": delivery.status if delivery else "gone"}
        channel = get_channel(delivery.channel)
        delivery.attempts += 1
        if channel is None:
            delivery.status, delivery.last_error = Delivery.Status.SKIPPED, "channel not set up"
        else:
            try:
                channel.deliver(delivery)
            except ChannelError as exc:
                delivery.status, delivery.last_error = Delivery.Status.FAILED, exc.message[:500]
            else:
                delivery.status, delivery.sent_at = Delivery.Status.SENT, timezone.now()
                delivery.last_error = ""
        delivery.save(update_fields=["status", "attempts", "last_error", "sent_at", "updated_at"])
    return {"delivery": delivery.pk, "status": delivery.status}
