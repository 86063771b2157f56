"""Background work for timestamps: one request per record, and the sweep that retries."""

from __future__ import annotations

import logging
from datetime import timedelta

from django_tasks import task

from chorus.common.scheduling import periodic

logger = logging.getLogger(__name__)


@task()
def timestamp_request_task(*, timestamp_id: int) -> None:
    from chorus.timestamping.services import timestamp_request

    stamp = timestamp_request(timestamp_id=timestamp_id)
    logger.info("timestamp %s: %s after %s attempts", stamp.pk, stamp.status, stamp.attempts)


@periodic(every=timedelta(minutes=1))
@task()
def timestamps_sweep_task() -> None:
    from chorus.timestamping.services import timestamps_sweep

    logger.info("timestamps queued: %s", timestamps_sweep())
