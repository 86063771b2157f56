"""Background jobs for incidents: the daily evidence retention purge."""

from __future__ import annotations

import logging
from datetime import timedelta

from django_tasks import task

from chorus.common.scheduling import periodic
from chorus.incidents.services import evidence_purge_expired

logger = logging.getLogger(__name__)


@periodic(every=timedelta(days=1))
@task()
def purge_expired_evidence_task() -> int:
    """Purge evidence past its retention period (legal holds are skipped by the service)."""
    purged = evidence_purge_expired()
    logger.info("evidence retention purge: %s incident(s) purged", purged)
    return purged
