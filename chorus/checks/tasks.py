"""Background work for checks: large API batches, and purging their results."""

from __future__ import annotations

import logging
from datetime import timedelta

from django_tasks import task

from chorus.common.scheduling import periodic

logger = logging.getLogger(__name__)


@task()
def check_job_task(*, job_id: int) -> None:
    from chorus.checks.jobs import check_job_run

    job = check_job_run(job_id=job_id)
    logger.info("check job %s: %s (%s posts)", job.public_id, job.status, job.total)


@periodic(every=timedelta(hours=1))
@task()
def check_jobs_purge_task() -> None:
    from chorus.checks.jobs import check_jobs_purge

    logger.info("check jobs purged: %s", check_jobs_purge())
