"""Helpers for tests that must pass with every task backend (inline, or RQ through Redis)."""

from __future__ import annotations

from typing import Any

from django_tasks import TaskResultStatus


def enqueue_and_wait(task: Any, *args: Any, **kwargs: Any) -> Any:
    """Enqueue `task` and return its finished result.

    With the immediate backend the result is final at once; with RQ in synchronous mode the job
    ran inside `enqueue` but the returned object predates it, so it is refreshed from Redis.
    """
    result = task.enqueue(*args, **kwargs)
    backend = result.task.get_backend()
    if result.status != TaskResultStatus.SUCCESSFUL and backend.supports_get_result:
        result.refresh()
    return result
