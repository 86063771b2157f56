"""Large `POST /api/v1/check` batches, screened by the worker: create, run, read, purge.

A batch over ``CHECK_SYNC_MAX_CHARS`` characters would hold a web worker for seconds or
minutes, so the API stores it as a ``CheckJob``, answers 202 with the job's URL, and
``check_job_task`` screens it; the client polls the URL and gets the same result objects a
synchronous call returns. Jobs are private to their requester and deleted after
``CHECK_JOB_RETENTION_HOURS``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chorus.checks.limits import CheckRateLimited
from chorus.checks.models import CheckJob
from chorus.checks.services import screen_many
from chorus.common.errors import DomainError, NotFound
from chorus.people.models import User

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 25  # posts screened between progress writes


def check_job_create(*, user: User, posts: list[dict[str, Any]], characters: int) -> CheckJob:
    """Queue a batch for the worker (after commit). At most ``CHECK_MAX_ACTIVE_JOBS`` queued or
    running jobs per user, so one person cannot fill the queue."""
    with transaction.atomic():
        active = CheckJob.objects.select_for_update().filter(
            requested_by=user, status__in=(CheckJob.Status.QUEUED, CheckJob.Status.RUNNING)
        )
        if len(active) >= settings.CHECK_MAX_ACTIVE_JOBS:
            raise CheckRateLimited(
                f"You already have {len(active)} batch checks running; wait for one to finish "
                "(poll its result_url), then send the next.",
                retry_after=30,
            )
        job = CheckJob.objects.create(
            organization=user.org,
            requested_by=user,
            posts=posts,
            total=len(posts),
            characters=characters,
        )
        from chorus.checks.tasks import check_job_task

        transaction.on_commit(partial(check_job_task.enqueue, job_id=job.pk))
    return job


def check_job_run(*, job_id: int) -> CheckJob:
    """Screen a queued job's posts in order, recording progress; the input is emptied once
    screened. Safe to repeat: a finished job is left alone."""
    with transaction.atomic():
        job = CheckJob.objects.select_for_update().select_related("organization").get(pk=job_id)
        if not job.is_active:
            return job
        job.status = CheckJob.Status.RUNNING
        job.save(update_fields=["status", "updated_at"])
    results: list[dict[str, Any]] = []
    try:
        for index, result in enumerate(
            screen_many(organization=job.organization, posts=job.posts), start=1
        ):
            results.append(result.to_dict())
            if index % PROGRESS_EVERY == 0:
                CheckJob.objects.filter(pk=job.pk).update(done=index)
    except DomainError as exc:
        _finish(job, status=CheckJob.Status.FAILED, error=exc.message)
    except Exception:
        logger.exception("check job %s failed", job.pk)
        _finish(job, status=CheckJob.Status.FAILED,
                error="The batch could not be screened; send it again.")  # fmt: skip
    else:
        _finish(job, status=CheckJob.Status.DONE, results=results)
    job.refresh_from_db()
    return job


def _finish(job: CheckJob, *, status: str, error: str = "",
            results: list[dict[str, Any]] | None = None) -> None:  # fmt: skip
    now = timezone.now()
    CheckJob.objects.filter(pk=job.pk).update(
        status=status, error=error, results=results or [], posts=[], finished_at=now,
        done=len(results) if results is not None else job.done, updated_at=now,
    )  # fmt: skip


def check_job_get(*, user: User, public_id: str) -> CheckJob:
    """The user's own job; anyone else's (same organization or not) is a 404."""
    job = CheckJob.objects.filter(
        public_id=public_id, requested_by=user, organization=user.org
    ).first()
    if job is None:
        raise NotFound("No such check job (results are kept for a day).")
    return job


def check_jobs_purge(*, now: Any = None) -> int:
    """Delete jobs older than ``CHECK_JOB_RETENTION_HOURS``; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.CHECK_JOB_RETENTION_HOURS)
    deleted, _ = CheckJob.objects.filter(created_at__lt=cutoff).delete()
    from chorus.checks.images import image_checks_purge

    return deleted + image_checks_purge(cutoff=cutoff)
