"""Periodic jobs run by the task worker.

An app registers a periodic task in its `tasks.py`:

    @periodic(every=timedelta(hours=1))
    @task()
    def send_attestation_reminders_task() -> None: ...

`chorus worker` runs the scheduler loop beside the task worker; `scheduler_tick()` enqueues each
job at most once per slot, across any number of scheduler processes (see `ScheduledRun`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    task: Any  # a django_tasks Task


PERIODIC_JOBS: dict[str, PeriodicJob] = {}


def periodic(*, every: timedelta) -> Callable[[Any], Any]:
    """Register a django-tasks task (taking no arguments) to run once per `every`."""

    def register(task: Any) -> Any:
        name = f"{task.module_path}"
        PERIODIC_JOBS[name] = PeriodicJob(name=name, every=every, task=task)
        return task

    return register


def _slot(now: datetime, every: timedelta) -> int:
    seconds = int(every.total_seconds())
    return int(now.timestamp()) // seconds * seconds


def scheduler_tick(*, now: datetime | None = None) -> list[str]:
    """Enqueue every periodic job whose current slot has not been enqueued yet.

    Returns the names of the jobs enqueued by this call. Safe to call concurrently.
    """
    from django.utils.module_loading import autodiscover_modules

    from chorus.common.models import ScheduledRun

    autodiscover_modules("tasks")
    now = now or timezone.now()
    enqueued = []
    for job in PERIODIC_JOBS.values():
        slot = _slot(now, job.every)
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, slot=slot)
        except IntegrityError:
            continue
        job.task.enqueue()
        enqueued.append(job.name)
        logger.info("scheduled %s for slot %s", job.name, slot)
    return enqueued
