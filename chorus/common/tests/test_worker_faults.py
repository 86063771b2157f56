"""Fault suite: a `chorus worker` killed with SIGKILL mid-task loses nothing (make test-faults).

Real processes against a throw-away database of their own (a SQLite file, and a PostgreSQL
database created for the test on the shared server): enqueue a slow task, kill the worker
while it runs, start another worker, and check the task ran to completion exactly once in
effect.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chorus.common.tests.faultkit import (
    REDIS_URL,
    Database,
    Process,
    base_env,
    manage,
    postgres_database,
    sqlite_database,
    wait_for,
)

pytestmark = pytest.mark.faults

# Short leases so the test is quick; production defaults are 10 s and 60 s.
LEASE_ENV = {"TASK_BACKEND": "database", "TASK_HEARTBEAT_SECONDS": "1", "TASK_LEASE_SECONDS": "3"}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> Iterator[Database]:
    if request.param == "sqlite":
        with sqlite_database(tmp_path) as db:
            yield db
    else:
        with postgres_database() as db:
            yield db


def _worker(db: Database, log: Path) -> Process:
    env = base_env(DATABASE_URL=db.url, **LEASE_ENV)
    return Process(
        ["worker", "--no-reload", "--interval", "0.2", "--scheduler-interval", "0.5"], env, log
    )


def test_a_task_whose_worker_is_killed_runs_again_and_takes_effect_once(database, tmp_path):
    journal = tmp_path / "journal.txt"
    journal.touch()
    env = base_env(DATABASE_URL=database.url, **LEASE_ENV)
    task_id = manage(
        "shell",
        "-c",
        "from chorus.common.tests.fault_tasks import slow_effect_task as t; "
        f"print(t.enqueue(key='invite-42', journal={str(journal)!r}).id)",
        env=env,
    ).split()[-1]

    first = _worker(database, tmp_path / "worker1.log")
    try:
        wait_for(lambda: "start" in journal.read_text(), timeout=60, what="the first run")
        assert database.task_row(task_id)[0] == "RUNNING"
    finally:
        first.kill()
    status, first_workers = database.task_row(task_id)
    assert status == "RUNNING" and len(first_workers) == 1  # what a dead worker leaves behind

    second = _worker(database, tmp_path / "worker2.log")
    try:
        wait_for(
            lambda: database.task_row(task_id)[0] == "SUCCESSFUL",
            timeout=60,
            what=f"the task to be re-run; worker log:\n{second.output()}",
        )
    finally:
        second.kill()

    status, workers = database.task_row(task_id)
    assert len(workers) == 2 and workers[0] != workers[1]
    assert journal.read_text().split() == ["start", "start", "done"]
    effects = database.query(
        "SELECT COUNT(*) FROM common_scheduledrun WHERE job = %s", ("effect:invite-42",)
    )
    assert effects == [(1,)]
    lost_runs = database.query(
        "SELECT lost_runs FROM common_tasklease WHERE task_id = %s",
        (task_id.replace("-", "") if database.vendor == "sqlite" else task_id,),
    )
    assert lost_runs == [(1,)]


def test_an_rq_job_whose_worker_is_killed_is_requeued_by_the_scheduler(tmp_path):
    """RQ 3 only moves an abandoned job to the FailedJobRegistry (AbandonedJobError) once its
    execution heartbeat has expired (about 90 s); the scheduler then re-queues it. The test
    runs that scheduler step with its clock 5 minutes ahead instead of waiting."""
    import redis

    redis_url = REDIS_URL
    redis.Redis.from_url(redis_url).flushdb()
    journal = tmp_path / "journal.txt"
    journal.touch()
    with sqlite_database(tmp_path) as db:
        env = base_env(DATABASE_URL=db.url, TASK_BACKEND="rq", REDIS_URL=redis_url)
        enqueue = (
            "from chorus.common.tests.fault_tasks import slow_effect_task as t; "
            f"print(t.enqueue(key='rq-invite', journal={str(journal)!r}).id)"
        )
        job_id = manage("shell", "-c", enqueue, env=env).split()[-1]
        first = Process(["worker", "--no-scheduler"], env, tmp_path / "rq1.log")
        try:
            wait_for(lambda: "start" in journal.read_text(), timeout=60, what="the first run")
        finally:
            first.kill()

        recover = (
            "from datetime import timedelta; from django.utils import timezone; "
            "from chorus.common.taskqueue import tasks_recover_lost; "
            "print(tasks_recover_lost(now=timezone.now() + timedelta(minutes=5)).requeued)"
        )
        assert job_id in manage("shell", "-c", recover, env=env)
        manage("rqworker", "default", "--burst", "--job-class", "django_tasks_rq.Job", env=env)

        assert journal.read_text().split() == ["start", "start", "done"]
        status = manage(
            "shell",
            "-c",
            f"from django_tasks import default_task_backend as b; print(b.get_result({job_id!r}).status)",
            env=env,
        )
        assert status.split()[-1] == "SUCCESSFUL"
