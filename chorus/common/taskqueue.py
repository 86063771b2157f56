"""No task is lost when a worker dies: leases for running tasks, recovery of lost ones, and the
admin's view of tasks that failed or had to be re-queued.

Guarantees (see docs/operations.md, "Background tasks"):

- **Database backend** (`TASK_BACKEND=database`). `chorus worker` runs `LeasedWorker`, which
  writes a `TaskLease` when it claims a task and refreshes its heartbeat every
  `TASK_HEARTBEAT_SECONDS` while the task runs. The scheduler loop (`tasks_recover_lost`, run
  by every `chorus worker` and `chorus scheduler`) puts a RUNNING task back in the queue when
  its heartbeat is older than `TASK_LEASE_SECONDS` (or, for a task claimed by a plain
  `db_worker` that writes no heartbeat, when it started more than `TASK_MAX_RUNTIME_SECONDS`
  ago). After `TASK_MAX_ATTEMPTS` lost runs it is marked FAILED with `WorkerLost` instead.
- **RQ backend** (`TASK_BACKEND=rq`). RQ 3 keeps each running job in a StartedJobRegistry
  whose entry expires 60 s after the worker's last heartbeat; the registry's cleanup then moves
  the abandoned job to the FailedJobRegistry (`AbandonedJobError`), because jobs enqueued by
  django-tasks-rq have no RQ retries. `tasks_recover_lost` runs that cleanup and re-queues
  abandoned jobs, with the same `TASK_MAX_ATTEMPTS` bound.

Recovery is at-least-once: a task whose worker was only frozen past its lease may run twice,
which is why every task in Chorus is written to be safe to repeat.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max

from chorus.common.errors import Conflict, NotFound
from chorus.common.faults import DATABASE_ERRORS
from chorus.common.models import TaskLease

logger = logging.getLogger(__name__)

# RQ's exception recorded for a job whose worker stopped heartbeating (rq.exceptions).
RQ_ABANDONED = "rq.exceptions.AbandonedJobError"
RQ_LOST_RUNS_META = "chorus_lost_runs"


class WorkerLost(Exception):
    """Recorded as the failure of a task whose workers kept dying while running it."""


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def heartbeat_seconds() -> int:
    return max(1, _setting("TASK_HEARTBEAT_SECONDS", 10))


def lease_seconds() -> int:
    return max(heartbeat_seconds() * 2, _setting("TASK_LEASE_SECONDS", 60))


def max_attempts() -> int:
    return max(1, _setting("TASK_MAX_ATTEMPTS", 3))


def max_runtime_seconds() -> int:
    return max(lease_seconds(), _setting("TASK_MAX_RUNTIME_SECONDS", 3600))


def _worker_lost_message(runs: int) -> str:
    return (
        f"WorkerLost: the worker running this task stopped without finishing it {runs} "
        "time(s) (killed, out of memory, or its machine was lost), so it was not retried "
        "again. Find the cause in the worker's logs, then retry it from Manage → "
        "Background tasks."
    )


# --- the worker ------------------------------------------------------------------------------


class LeasedWorker(Worker):
    """django-tasks-db's worker, plus a heartbeat for the task it is running.

    The lease is written right after the claim; a daemon thread refreshes it until the task
    returns, so a worker that dies stops refreshing and its task becomes recoverable.
    """

    def run(self) -> None:
        """Keep working through a database outage instead of exiting (django-tasks-db's loop
        re-raises every error but "database is locked"); a task cut off mid-run by the
        outage keeps its stale lease and is re-queued by the scheduler."""
        pause = 1.0
        while self.running:
            try:
                super().run()
                return
            except DATABASE_ERRORS as exc:
                logger.warning("database unavailable (%s); worker retries in %.0f s", exc, pause)
                self.running_task = False
                connections.close_all()
                time.sleep(pause)
                pause = min(pause * 2, 30.0)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        TaskLease.objects.update_or_create(
            task_id=db_task_result.pk,
            defaults={"worker_id": self.worker_id, "heartbeat_at": timezone.now()},
        )
        stop = threading.Event()
        beat = threading.Thread(
            target=self._heartbeat,
            args=(db_task_result.pk, stop),
            name=f"heartbeat-{db_task_result.pk}",
            daemon=True,
        )
        beat.start()
        try:
            super().run_task(db_task_result)
        finally:
            stop.set()
            beat.join(timeout=heartbeat_seconds() + 5)

    def _heartbeat(self, task_id: Any, stop: threading.Event) -> None:
        try:
            while not stop.wait(heartbeat_seconds()):
                try:
                    TaskLease.objects.filter(task_id=task_id, worker_id=self.worker_id).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception as exc:  # a missed beat is retried; the lease has slack
                    logger.warning("heartbeat for task %s failed: %s", task_id, exc)
                    connection.close()
        finally:
            connection.close()


# --- recovery --------------------------------------------------------------------------------


@dataclass
class Recovery:
    """What one `tasks_recover_lost` call did: ids re-queued and ids given up on."""

    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def tasks_recover_lost(*, now: datetime | None = None) -> Recovery:
    """Re-queue tasks whose worker died, or fail them after `TASK_MAX_ATTEMPTS` lost runs.

    Safe to call from any number of processes at once: each task is taken by one conditional
    update (database) or one registry removal (RQ). `now` lets tests move the clock forward.
    """
    now = now or timezone.now()
    backend = settings.TASK_BACKEND
    if backend == "database":
        return _recover_database(now)
    if backend == "rq":
        return _recover_rq(now)
    return Recovery()


def _recover_database(now: datetime) -> Recovery:
    recovery = Recovery()
    lease_cutoff = now - timedelta(seconds=lease_seconds())
    runtime_cutoff = now - timedelta(seconds=max_runtime_seconds())
    stale = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).filter(
        Q(chorus_lease__heartbeat_at__lt=lease_cutoff)
        | Q(chorus_lease__heartbeat_at__isnull=True, started_at__lt=runtime_cutoff)
    )
    for task_id, started_at in stale.values_list("pk", "started_at")[:200]:
        with transaction.atomic():
            lease, _ = TaskLease.objects.get_or_create(task_id=task_id)
            runs = lease.lost_runs + 1
            same_run = DBTaskResult.objects.filter(
                pk=task_id, status=TaskResultStatus.RUNNING, started_at=started_at
            )
            if runs >= max_attempts():
                taken = same_run.update(
                    status=TaskResultStatus.FAILED,
                    finished_at=now,
                    exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                    traceback=_worker_lost_message(runs),
                    return_value=None,
                )
            else:
                taken = same_run.update(status=TaskResultStatus.READY, started_at=None)
            if not taken:  # another scheduler got there first, or the task just finished
                continue
            lease.lost_runs, lease.last_lost_at = runs, now
            lease.worker_id, lease.heartbeat_at = "", None
            lease.save()
        if runs >= max_attempts():
            logger.error("task %s lost its worker %s times; marked failed", task_id, runs)
            recovery.failed.append(str(task_id))
        else:
            logger.warning("task %s lost its worker (run %s); re-queued", task_id, runs)
            recovery.requeued.append(str(task_id))
    return recovery


def _rq_queues() -> list[Any]:
    import django_rq
    from django_tasks_rq.backend import Job

    names = settings.TASKS["default"].get("QUEUES") or ["default"]
    return [django_rq.get_queue(name, job_class=Job) for name in names]


def _rq_abandonments(job: Any) -> int:
    return list(job.meta.get("_django_tasks_rq_exceptions", [])).count(RQ_ABANDONED)


def _recover_rq(now: datetime) -> Recovery:
    from rq.exceptions import InvalidJobOperation, NoSuchJobError
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    recovery = Recovery()
    for queue in _rq_queues():
        # Moves jobs whose execution heartbeat expired to the FailedJobRegistry; a worker does
        # the same only every 10 minutes, in its maintenance pass.
        StartedJobRegistry(queue=queue).cleanup(timestamp=now.timestamp())
        failed = FailedJobRegistry(queue=queue)
        for job_id in failed.get_job_ids(cleanup=False):
            try:
                job = queue.job_class.fetch(job_id, connection=queue.connection)
            except NoSuchJobError:
                continue
            lost = _rq_abandonments(job)
            if lost <= int(job.meta.get(RQ_LOST_RUNS_META, 0)):
                continue  # failed by an exception, or an abandonment already handled
            job.meta[RQ_LOST_RUNS_META] = lost
            job.save_meta()
            if lost >= max_attempts():
                logger.error("RQ job %s lost its worker %s times; left failed", job_id, lost)
                recovery.failed.append(job_id)
                continue
            try:
                failed.requeue(job)
            except InvalidJobOperation:  # another scheduler re-queued it
                continue
            logger.warning("RQ job %s lost its worker (run %s); re-queued", job_id, lost)
            recovery.requeued.append(job_id)
    return recovery


# --- the admin page --------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskProblem:
    """A task that failed or had to be re-queued, as the admin page shows it.

    Only platform facts: the task's name, state, times, attempts and the exception's class.
    Arguments and messages may name another organization's data, so they stay in the logs.
    """

    id: str
    name: str
    status: str
    lost_runs: int
    error: str
    enqueued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def can_retry(self) -> bool:
        return self.status == TaskResultStatus.FAILED


def can_manage_tasks(user: Any) -> bool:
    """Who may see and act on the installation's task queue.

    The queue is shared by every organization of the installation, so when it hosts several,
    only a platform operator (a superuser, `chorus createsuperuser`) may; with one organization,
    its administrators are the operators.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    from chorus.people.models import Organization

    return bool(user.has_role("admin")) and Organization.objects.count() <= 1


def _short_name(path: str) -> str:
    return path.rsplit(".", 1)[-1] if path else "(unknown task)"


def task_problem_list(*, limit: int = 200) -> list[TaskProblem]:
    """Failed tasks and tasks that were re-queued after a lost worker, newest first."""
    if settings.TASK_BACKEND == "rq":
        return _rq_problem_list(limit)
    if settings.TASK_BACKEND != "database":
        return []
    rows = (
        DBTaskResult.objects.filter(
            Q(status=TaskResultStatus.FAILED) | Q(chorus_lease__lost_runs__gt=0)
        )
        .select_related("chorus_lease")
        .order_by("-enqueued_at")[:limit]
    )
    problems = []
    for row in rows:
        lease = getattr(row, "chorus_lease", None)
        problems.append(
            TaskProblem(
                id=str(row.pk),
                name=_short_name(row.task_path),
                status=row.status,
                lost_runs=lease.lost_runs if lease else 0,
                error=_short_name(row.exception_class_path) if row.exception_class_path else "",
                enqueued_at=row.enqueued_at,
                started_at=row.started_at,
                finished_at=row.finished_at,
            )
        )
    return problems


def _rq_problem_list(limit: int) -> list[TaskProblem]:
    from rq.registry import FailedJobRegistry

    problems = []
    for queue in _rq_queues():
        registry = FailedJobRegistry(queue=queue)
        for job_id in registry.get_job_ids(end=limit - 1, desc=True, cleanup=False):
            job = queue.job_class.fetch_many([job_id], connection=queue.connection)[0]
            if job is None:
                continue
            errors = job.meta.get("_django_tasks_rq_exceptions", [])
            problems.append(
                TaskProblem(
                    id=job.id,
                    name=_short_name(job.func_name or ""),
                    status=TaskResultStatus.FAILED,
                    lost_runs=int(job.meta.get(RQ_LOST_RUNS_META, 0)),
                    error=_short_name(errors[-1]) if errors else "",
                    enqueued_at=_aware(job.enqueued_at),
                    started_at=_aware(job.started_at),
                    finished_at=_aware(job.ended_at),
                )
            )
    return problems[:limit]


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, timezone=UTC)
    return value


def _audit(actor: Any, action: str, problem: TaskProblem) -> None:
    from chorus.audit.services import audit_record

    audit_record(
        organization=actor.organization,
        actor=actor,
        action=action,
        data={"task_id": problem.id, "task": problem.name, "status": problem.status},
    )


def _problem_get(task_id: str) -> TaskProblem:
    for problem in task_problem_list(limit=10_000):
        if problem.id == task_id:
            return problem
    raise NotFound("No such failed or re-queued task; it may have been retried or discarded.")


def task_retry(*, task_id: str, actor: Any) -> TaskProblem:
    """Put a failed task back in the queue with a fresh attempt count, and audit who did it."""
    problem = _problem_get(task_id)
    if not problem.can_retry:
        raise Conflict("Only a failed task can be retried; this one is already queued or running.")
    with transaction.atomic():
        if settings.TASK_BACKEND == "rq":
            from rq.registry import FailedJobRegistry

            for queue in _rq_queues():
                registry = FailedJobRegistry(queue=queue)
                job = queue.job_class.fetch_many([task_id], connection=queue.connection)[0]
                if job is not None and job.origin == queue.name:
                    job.meta[RQ_LOST_RUNS_META] = _rq_abandonments(job)
                    job.meta["chorus_retried_by_admin"] = True
                    job.save_meta()
                    registry.requeue(job)
        else:
            taken = DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.FAILED).update(
                status=TaskResultStatus.READY,
                started_at=None,
                finished_at=None,
                exception_class_path="",
                traceback="",
                return_value=None,
                run_after=get_date_max(),
            )
            if not taken:
                raise Conflict("This task changed meanwhile; reload the page.")
            TaskLease.objects.filter(task__pk=task_id).update(
                lost_runs=0, worker_id="", heartbeat_at=None
            )
        _audit(actor, "tasks.retried", problem)
    logger.info("task %s (%s) retried by %s", task_id, problem.name, actor.pk)
    return problem


def task_discard(*, task_id: str, actor: Any) -> TaskProblem:
    """Delete a failed or re-queued task so it never runs, and audit who did it."""
    problem = _problem_get(task_id)
    with transaction.atomic():
        if settings.TASK_BACKEND == "rq":
            from rq.registry import FailedJobRegistry

            for queue in _rq_queues():
                FailedJobRegistry(queue=queue).remove(task_id, delete_job=True)
        else:
            deleted, _ = (
                DBTaskResult.objects.filter(pk=task_id)
                .exclude(status=TaskResultStatus.RUNNING)
                .delete()
            )
            if not deleted:
                raise Conflict("This task is running now; wait for it to finish, then discard it.")
        _audit(actor, "tasks.discarded", problem)
    logger.info("task %s (%s) discarded by %s", task_id, problem.name, actor.pk)
    return problem


# --- the Redis outbox ------------------------------------------------------------------------


def tasks_outbox_flush(*, limit: int = 500) -> int:
    """Send tasks kept while Redis was unreachable (`TaskOutbox`) to Redis, oldest first.

    Stops at the first Redis error (still down: the next tick tries again) and returns how
    many were sent. A row is deleted only after Redis accepted its task, so a crash in between
    sends it twice at worst (tasks are safe to repeat), never zero times.
    """
    if settings.TASK_BACKEND != "rq":
        return 0
    from django.utils.module_loading import import_string
    from django_tasks import task_backends

    from chorus.common.faults import REDIS_ERRORS
    from chorus.common.models import TaskOutbox
    from chorus.common.task_backends import OutboxRQBackend

    backend = task_backends["default"]
    if not isinstance(backend, OutboxRQBackend):
        return 0
    sent = 0
    for row in TaskOutbox.objects.order_by("created_at", "pk")[:limit]:
        try:
            task = import_string(row.task_path).using(
                queue_name=row.queue_name, priority=row.priority, run_after=row.run_after
            )
        except ImportError:
            logger.error("outbox #%s: task %s no longer exists; dropped", row.pk, row.task_path)
            row.delete()
            continue
        try:
            backend.enqueue_to_redis(
                task, row.args_kwargs.get("args", []), row.args_kwargs.get("kwargs", {})
            )
        except REDIS_ERRORS as exc:
            logger.warning(
                "Redis still unreachable (%s); %s task(s) wait in the outbox",
                exc,
                TaskOutbox.objects.count(),
            )
            break
        if TaskOutbox.objects.filter(pk=row.pk).delete()[0]:
            sent += 1
    if sent:
        logger.info("sent %s task(s) from the outbox to Redis", sent)
    return sent
