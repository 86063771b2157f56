"""Queue metrics for the Redis/RQ backend (make test-redis: a real Redis server)."""

import pytest
from django.conf import settings

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


@pytest.mark.skipif(settings.TASK_BACKEND != "rq", reason="needs TASK_BACKEND=rq")
def test_metrics_show_the_rq_queue_length_age_and_failed_jobs(client, settings):
    import django_rq
    from rq import Queue
    from rq.registry import FailedJobRegistry

    settings.METRICS_TOKEN = "t"
    connection = django_rq.get_connection("default")
    queue = Queue("default", connection=connection, is_async=True)
    queue.empty()
    waiting = [queue.enqueue("os.getcwd") for _ in range(2)]
    failed = queue.enqueue("os.getcwd")
    queue.remove(failed)
    FailedJobRegistry(queue=queue).add(failed, ttl=60, exc_string="boom")
    try:
        text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer t").content.decode()
    finally:
        for job in [*waiting, failed]:
            job.delete()

    lines = dict(line.rsplit(" ", 1) for line in text.splitlines() if line.startswith("chorus_"))
    assert float(lines['chorus_task_queue_depth{queue="default"}']) == 2
    assert float(lines['chorus_task_oldest_age_seconds{queue="default"}']) >= 0
    assert float(lines['chorus_tasks_failed{queue="default"}']) == 1
    assert float(lines['chorus_metrics_source_up{source="tasks"}']) == 1
