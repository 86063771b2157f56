"""Background delivery of notifications, one task per (notification, channel)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from chorus.notifications.services import delivery_run


@task()
def deliver_notification_task(delivery_id: int) -> dict[str, Any]:
    return delivery_run(delivery_id=delivery_id)
