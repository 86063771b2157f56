"""The Redis task backend that does not lose work while Redis is down.

Chorus enqueues a task after the change it follows up has been committed
(`transaction.on_commit`). With plain django-tasks-rq an unreachable Redis raises at that point:
the change is saved, its follow-up (an invitation, a notification) is not, and the remaining
on-commit callbacks are skipped. `OutboxRQBackend` writes the task to `TaskOutbox` in the
database instead and returns normally; the scheduler loop sends the outbox to Redis as soon as
it answers again. If the database is down too, the request itself fails (503) and nothing was
committed, so there is nothing to lose.
"""

from __future__ import annotations

import logging
from typing import Any

from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.utils import normalize_json
from django_tasks_rq.backend import RQBackend

from chorus.common.faults import REDIS_ERRORS

logger = logging.getLogger(__name__)


class OutboxRQBackend(RQBackend):
    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        try:
            return super().enqueue(task, args, kwargs)
        except REDIS_ERRORS as exc:
            from chorus.common.models import TaskOutbox

            row = TaskOutbox.objects.create(
                task_path=task.module_path,
                args_kwargs=normalize_json({"args": list(args), "kwargs": kwargs}),
                queue_name=task.queue_name,
                priority=task.priority,
                run_after=task.run_after,
                error=f"{type(exc).__name__}: {exc}"[:500],
            )
            logger.warning(
                "Redis unreachable (%s); %s kept in the task outbox (#%s) until it is back",
                exc,
                task.module_path,
                row.pk,
            )
            return TaskResult(
                task=task,
                id=f"outbox-{row.pk}",
                status=TaskResultStatus.READY,
                enqueued_at=None,
                started_at=None,
                last_attempted_at=None,
                finished_at=None,
                args=args,
                kwargs=kwargs,
                backend=self.alias,
                errors=[],
                worker_ids=[],
            )

    def enqueue_to_redis(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        """Enqueue or raise: used to send the outbox, so a failure never re-enters it."""
        return super().enqueue(task, args, kwargs)
