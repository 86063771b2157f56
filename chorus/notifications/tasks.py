"""Background delivery of notifications, one task per (notification, channel), plus the
periodic jobs that send what waited (quiet hours, retries) and build digests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django_tasks import task

from chorus.common.scheduling import periodic
from chorus.notifications.services import (
    deliveries_dispatch_due,
    deliveries_run,
    delivery_run,
    digests_build,
)


@task()
def deliver_notification_task(delivery_id: int) -> dict[str, Any]:
    return delivery_run(delivery_id=delivery_id)


@task()
def deliver_notifications_task(delivery_ids: list[int]) -> dict[str, int]:
    """Send a batch of deliveries; each one is claimed and recorded on its own, so a failing
    one (retried later) never holds back the rest, and a repeated run sends nothing twice."""
    return deliveries_run(delivery_ids=delivery_ids)


@periodic(every=timedelta(minutes=1))
@task()
def deliveries_dispatch_due_task() -> int:
    """Send deliveries whose quiet hours ended or whose retry backoff elapsed."""
    return deliveries_dispatch_due()


@periodic(every=timedelta(hours=1))
@task()
def digests_build_task() -> int:
    """Build the daily and weekly digests that are due (idempotent per person and period)."""
    return digests_build()
