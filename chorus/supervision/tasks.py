"""Background work for supervision: retraining an organization's learned heads."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def retrain_task(*, run_id: int) -> None:
    from chorus.supervision.services import retrain_run

    run = retrain_run(run_id=run_id)
    logger.info("retrain %s: %s (activated: %s)", run.pk, run.status, run.activated)
