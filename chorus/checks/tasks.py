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


@task()
def image_check_task(*, image_check_id: int) -> None:
    """Read the text of an uploaded image (Tesseract) and screen it, off the web request."""
    from chorus.checks.images import image_check_run

    record = image_check_run(image_check_id=image_check_id)
    if record is not None:
        logger.info("image check %s: %s", record.pk, record.status)


@periodic(every=timedelta(hours=1))
@task()
def check_jobs_purge_task() -> None:
    from chorus.checks.jobs import check_jobs_purge

    logger.info("check jobs purged: %s", check_jobs_purge())
