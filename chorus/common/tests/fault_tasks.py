"""Tasks the fault tests enqueue into real worker processes (imported by the worker by path)."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task

from chorus.common.models import ScheduledRun


@task()
def slow_effect_task(*, key: str, journal: str, first_run_seconds: float = 120.0) -> None:
    """Log each start to `journal`, stall on the first run (the test kills the worker then),
    then apply the effect the idempotent way every Chorus task does (get_or_create)."""
    log = Path(journal)
    with log.open("a") as out:
        out.write("start\n")
    if log.read_text().count("start") == 1:
        time.sleep(first_run_seconds)
    ScheduledRun.objects.get_or_create(job=f"effect:{key}", slot=0)
    with log.open("a") as out:
        out.write("done\n")


@task()
def always_fails_task() -> None:
    """Fails the way a bug does, so the admin page has something to show."""
    raise RuntimeError("always fails")
