"""Background work of the integrations: webhook deliveries and their retry sweep."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django_tasks import task

from chorus.common.scheduling import periodic
from chorus.integrations.webhooks.services import deliveries_due, delivery_attempt

logger = logging.getLogger(__name__)


@task()
def webhook_deliver_task(delivery_id: int) -> dict[str, Any]:
    delivery = delivery_attempt(delivery_id=delivery_id)
    return {"delivery": delivery_id, "status": delivery.status if delivery else "gone"}


@periodic(every=timedelta(minutes=1))
@task()
def webhook_retry_due_task() -> int:
    """Try every delivery whose backoff has passed (retries are scheduled as timestamps)."""
    ids = deliveries_due()
    for delivery_id in ids:
        try:
            delivery_attempt(delivery_id=delivery_id)
        except Exception:  # one broken endpoint must not stop the sweep
            logger.exception("webhook delivery %s failed unexpectedly", delivery_id)
    return len(ids)


@task()
def content_drop_task(organization_id: int, item_id: int) -> dict[str, Any]:
    from chorus.integrations.drops import content_drop_send

    return content_drop_send(organization_id=organization_id, item_id=item_id)
