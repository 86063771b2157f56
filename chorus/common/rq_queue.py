"""The RQ queue class Chorus uses (settings.RQ_QUEUES["default"]["QUEUE_CLASS"])."""

from __future__ import annotations

from typing import Any

from django_rq.queues import DjangoRQ
from rq.timeouts import TimerDeathPenalty


class ThreadSafeSyncQueue(DjangoRQ):
    """With RQ_ASYNC=false (tests, development) a job runs inside `enqueue`, and RQ times it
    with SIGALRM, which only the main thread may set: an enqueue from another thread (a live
    test server, concurrent requests) failed with "signal only works in main thread". Such a
    queue times its in-process jobs with a timer thread instead. Real workers are unaffected."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not kwargs.get("is_async", True):
            kwargs["death_penalty_class"] = TimerDeathPenalty
        super().__init__(*args, **kwargs)
