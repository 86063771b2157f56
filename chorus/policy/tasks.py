"""Background work for policies: impact previews and scheduled publications."""

from __future__ import annotations

import logging
from datetime import timedelta

from django_tasks import task

from chorus.common.scheduling import periodic

logger = logging.getLogger(__name__)


@task()
def impact_preview_task(*, preview_id: int) -> None:
    from chorus.policy.impact import impact_preview_run

    preview = impact_preview_run(preview_id=preview_id)
    logger.info("impact preview %s: %s (%s texts)", preview.pk, preview.status, preview.total)


@periodic(every=timedelta(minutes=5))
@task()
def scheduled_publications_task() -> None:
    from chorus.policy.publishing import scheduled_publications_run

    logger.info("scheduled publications: %s", scheduled_publications_run())
