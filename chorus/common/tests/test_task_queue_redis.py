"""Scale-out: tasks go through Redis and run in separate worker processes (make test-redis)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

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
