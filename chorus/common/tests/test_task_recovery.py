"""Tasks whose worker died go back in the queue, a bounded number of times, and the
administrator sees, retries or discards the ones that failed (database task backend)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from chorus.audit.models import AuditEntry
from chorus.common.models import TaskLease
from chorus.common.taskqueue import task_discard, task_problem_list, task_retry, tasks_recover_lost

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def database_backend(settings):
    settings.TASK_BACKEND = "database"
    settings.TASK_HEARTBEAT_SECONDS = 10
    settings.TASK_LEASE_SECONDS = 60
    settings.TASK_MAX_ATTEMPTS = 3
    settings.TASK_MAX_RUNTIME_SECONDS = 3600


def make_task(
    *,
    status: str = TaskResultStatus.RUNNING,
    started_ago: int = 0,
    heartbeat_ago: int | None = None,
    worker: str = "w1",
) -> DBTaskResult:
    now = timezone.now()
    task = DBTaskResult.objects.create(
        task_path="chorus.common.tests.fault_tasks.slow_effect_task",
        args_kwargs={"args": [], "kwargs": {"key": "k", "journal": "/dev/null"}},
        backend_name="default",
        status=status,
        started_at=now - timedelta(seconds=started_ago) if status != "READY" else None,
        run_after=get_date_max(),
        worker_ids=[worker] if status != "READY" else [],
    )
    if heartbeat_ago is not None:
        TaskLease.objects.create(
            task=task, worker_id=worker, heartbeat_at=now - timedelta(seconds=heartbeat_ago)
        )
    return task


def _claim_again(task: DBTaskResult, *, heartbeat_ago: int) -> None:
    """What the next worker does: claim it, heartbeat, and then die as well."""
    now = timezone.now()
    DBTaskResult.objects.filter(pk=task.pk).update(status="RUNNING", started_at=now)
    TaskLease.objects.filter(task=task).update(
        worker_id="w2", heartbeat_at=now - timedelta(seconds=heartbeat_ago)
    )


def test_a_running_task_whose_heartbeat_stopped_goes_back_in_the_queue():
    task = make_task(started_ago=300, heartbeat_ago=90)

    recovery = tasks_recover_lost()

    task.refresh_from_db()
    assert recovery.requeued == [str(task.pk)] and recovery.failed == []
    assert (task.status, task.started_at) == ("READY", None)
    assert DBTaskResult.objects.ready().filter(pk=task.pk).exists()
    assert task.chorus_lease.lost_runs == 1


def test_a_task_with_a_fresh_heartbeat_is_left_running_however_long_it_takes():
    task = make_task(started_ago=7200, heartbeat_ago=5)
    assert tasks_recover_lost().requeued == []
    task.refresh_from_db()
    assert task.status == "RUNNING"


def test_a_task_without_a_heartbeat_is_recovered_only_after_the_max_runtime():
    young = make_task(started_ago=600)  # claimed by a plain db_worker: no lease row
    old = make_task(started_ago=4000)
    assert tasks_recover_lost().requeued == [str(old.pk)]
    young.refresh_from_db()
    assert young.status == "RUNNING"


def test_finished_and_queued_tasks_are_not_touched():
    done = make_task(status="SUCCESSFUL", started_ago=900, heartbeat_ago=900)
    failed = make_task(status="FAILED", started_ago=900, heartbeat_ago=900)
    queued = make_task(status="READY")
    assert tasks_recover_lost().requeued == []
    assert [
        t.status
        for t in DBTaskResult.objects.filter(pk__in=[done.pk, failed.pk, queued.pk]).order_by(
            "status"
        )
    ] == ["FAILED", "READY", "SUCCESSFUL"]


def test_a_task_that_keeps_losing_its_worker_is_failed_after_the_max_attempts():
    task = make_task(started_ago=100, heartbeat_ago=90)
    assert tasks_recover_lost().requeued == [str(task.pk)]
    _claim_again(task, heartbeat_ago=90)
    assert tasks_recover_lost().requeued == [str(task.pk)]
    _claim_again(task, heartbeat_ago=90)

    recovery = tasks_recover_lost()

    task.refresh_from_db()
    assert recovery.failed == [str(task.pk)]
    assert task.status == "FAILED" and task.finished_at is not None
    assert task.exception_class_path == "chorus.common.taskqueue.WorkerLost"
    assert "stopped without finishing it 3 time(s)" in task.traceback
    assert tasks_recover_lost().failed == []  # nothing more happens to it


def test_two_schedulers_recover_a_task_once():
    task = make_task(started_ago=100, heartbeat_ago=90)
    first, second = tasks_recover_lost(), tasks_recover_lost()
    assert first.requeued == [str(task.pk)] and second.requeued == []
    assert TaskLease.objects.get(task=task).lost_runs == 1


# --- the admin page ---------------------------------------------------------------------------


def test_the_admin_sees_failed_and_requeued_tasks_without_their_arguments(client_for, admin):
    failed = make_task(status="FAILED", started_ago=100)
    DBTaskResult.objects.filter(pk=failed.pk).update(
        exception_class_path="smtplib.SMTPException",
        traceback="SMTPException: secret@globex.example",
    )
    requeued = make_task(started_ago=100, heartbeat_ago=90)
    tasks_recover_lost()
    make_task(status="SUCCESSFUL")

    response = client_for(admin).get("/admin-tasks/")

    body = response.content.decode()
    assert response.status_code == 200
    assert str(failed.pk) in body and str(requeued.pk) in body
    assert "SMTPException" in body and "secret@globex.example" not in body
    assert "journal" not in body  # arguments stay in the logs
    assert len(task_problem_list()) == 2


@pytest.mark.parametrize("who", ["employee", "hr", "legal", "manager", "comms"])
def test_only_administrators_reach_the_task_page(client_for, request, who):
    user = request.getfixturevalue(who)
    task = make_task(status="FAILED")
    client = client_for(user)
    assert client.get("/admin-tasks/").status_code == 403
    assert client.post(f"/admin-tasks/{task.pk}/retry/").status_code == 403
    assert client.post(f"/admin-tasks/{task.pk}/discard/").status_code == 403
    task.refresh_from_db()
    assert task.status == "FAILED"


def test_with_several_organizations_only_the_platform_operator_manages_tasks(
    client_for, admin, outsider, other_org
):
    """The queue is shared by every organization: one organization's admin must not discard
    another's tasks."""
    task = make_task(status="FAILED")
    for org_admin in (admin, outsider):
        client = client_for(org_admin)
        assert client.get("/admin-tasks/").status_code == 403
        assert client.post(f"/admin-tasks/{task.pk}/discard/").status_code == 403
    assert DBTaskResult.objects.filter(pk=task.pk).exists()

    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    assert client_for(admin).get("/admin-tasks/").status_code == 200


def test_the_admin_nav_links_the_task_page(client_for, admin, employee):
    assert b"/admin-tasks/" in client_for(admin).get("/").content
    assert b"/admin-tasks/" not in client_for(employee).get("/").content


def test_retrying_a_failed_task_queues_it_again_and_is_audited(client_for, admin, org):
    task = make_task(started_ago=100, heartbeat_ago=90)
    for _ in range(2):
        tasks_recover_lost()
        _claim_again(task, heartbeat_ago=90)
    tasks_recover_lost()
    task.refresh_from_db()
    assert task.status == "FAILED"

    response = client_for(admin).post(f"/admin-tasks/{task.pk}/retry/", follow=True)

    task.refresh_from_db()
    assert "was put back in the queue" in response.content.decode()
    assert task.status == "READY" and task.exception_class_path == ""
    assert DBTaskResult.objects.ready().filter(pk=task.pk).exists()
    assert TaskLease.objects.get(task=task).lost_runs == 0
    entry = AuditEntry.objects.get(organization=org, action="tasks.retried")
    assert entry.actor_id == admin.pk and entry.data["task_id"] == str(task.pk)


def test_discarding_a_task_deletes_it_and_is_audited(client_for, admin, org):
    task = make_task(status="FAILED")
    response = client_for(admin).post(f"/admin-tasks/{task.pk}/discard/", follow=True)
    assert "discarded; it will not run" in response.content.decode()
    assert not DBTaskResult.objects.filter(pk=task.pk).exists()
    assert AuditEntry.objects.filter(organization=org, action="tasks.discarded").count() == 1


def test_a_queued_task_cannot_be_retried_twice(admin):
    task = make_task(status="FAILED")
    task_retry(task_id=str(task.pk), actor=admin)
    # Now READY (no lost runs): no longer a problem at all.
    from chorus.common.errors import NotFound

    with pytest.raises(NotFound):
        task_retry(task_id=str(task.pk), actor=admin)


def test_a_running_requeued_task_cannot_be_discarded(admin):
    from chorus.common.errors import Conflict

    task = make_task(started_ago=100, heartbeat_ago=90)
    tasks_recover_lost()
    _claim_again(task, heartbeat_ago=1)
    with pytest.raises(Conflict):
        task_discard(task_id=str(task.pk), actor=admin)


def test_an_unknown_task_id_is_a_404(client_for, admin):
    client = client_for(admin)
    assert (
        client.post("/admin-tasks/00000000-0000-0000-0000-000000000000/retry/").status_code == 404
    )
    assert client.post("/admin-tasks/not-a-uuid/discard/").status_code == 404
