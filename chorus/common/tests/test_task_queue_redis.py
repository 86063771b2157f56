"""Scale-out: tasks go through Redis and run in separate worker processes (make test-redis)."""

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from rq.exceptions import NoSuchJobError

from chorus.audit.models import AuditEntry
from chorus.audit.services import audit_record
from chorus.audit.tasks import audit_verify_chains_task

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[3]


def _worker_env() -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "TASK_BACKEND": "rq", "RQ_ASYNC": "true"}


@pytest.mark.skipif(settings.TASK_BACKEND != "rq", reason="needs TASK_BACKEND=rq")
def test_two_workers_on_separate_processes_drain_the_redis_queue(org, admin):
    if connection.vendor != "postgresql":
        pytest.skip("separate worker processes need a shared PostgreSQL database")
    import django_rq

    django_rq.get_queue("default").empty()
    audit_record(organization=org, actor=admin, action="test.before_queue")
    for _ in range(3):
        audit_verify_chains_task.enqueue()
    assert django_rq.get_queue("default").count == 3

    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "rqworker",
                "default",
                "--burst",
                "--job-class",
                "django_tasks_rq.Job",
            ],
            cwd=ROOT,
            env=_worker_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=120)[0] for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    assert django_rq.get_queue("default").count == 0
    assert AuditEntry.objects.filter(organization=org, action="audit.chain_verified").count() == 3


@pytest.mark.skipif(settings.TASK_BACKEND != "rq", reason="needs TASK_BACKEND=rq")
def test_failed_rq_jobs_are_listed_for_the_admin_and_can_be_retried_or_discarded(
    client_for, admin, org
):
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker
    from rq.registry import FailedJobRegistry

    from chorus.common.tests.fault_tasks import always_fails_task

    queue = django_rq.get_queue("default", job_class=Job)
    queue.empty()
    failed = FailedJobRegistry(queue=queue)
    for job_id in failed.get_job_ids():
        # Earlier runs on the same Redis may leave ids whose job hash has already expired.
        with contextlib.suppress(NoSuchJobError):
            failed.remove(job_id, delete_job=True)
    first, second = always_fails_task.enqueue(), always_fails_task.enqueue()
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    assert set(failed.get_job_ids()) == {first.id, second.id}

    client = client_for(admin)
    page = client.get("/admin-tasks/").content.decode()
    assert first.id in page and "always_fails_task" in page and "RuntimeError" in page

    client.post(f"/admin-tasks/{first.id}/retry/")
    client.post(f"/admin-tasks/{second.id}/discard/")

    assert queue.job_ids == [first.id]
    assert failed.get_job_ids() == []
    assert Job.fetch_many([second.id], connection=queue.connection) == [None]
    actions = set(
        AuditEntry.objects.filter(organization=org, action__startswith="tasks.").values_list(
            "action", flat=True
        )
    )
    assert actions == {"tasks.retried", "tasks.discarded"}
    queue.empty()
