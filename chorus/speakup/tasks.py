"""Periodic jobs of the speak-up channel. Each calls one service and is safe to repeat."""

from __future__ import annotations

import logging
from datetime import timedelta

from django_tasks import task

from chorus.common.scheduling import periodic

logger = logging.getLogger(__name__)


@periodic(every=timedelta(minutes=15))
@task()
def speakup_clocks_task() -> None:
    from chorus.speakup.services import concern_clocks_run

    counts = concern_clocks_run()
    if any(counts.values()):
        logger.info("speak-up clocks: %s", counts)


@periodic(every=timedelta(hours=6))
@task()
def speakup_retention_task() -> None:
    from chorus.speakup.services import concern_purge_expired

    erased = concern_purge_expired()
    if erased:
        logger.info("speak-up retention: %s concern(s) erased", erased)
