"""POST /api/v1/check budgets (issue 11): a per-request character budget (413), a per-person
rate limit in the shared cache (429 + Retry-After), and large batches as background jobs (202,
then the same result objects from the result URL). Small requests answer as before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from chorus.checks.jobs import check_jobs_purge
from chorus.checks.models import CheckJob

pytestmark = pytest.mark.django_db

URL = "/api/v1/check"
SECRET_POST = "Our staging key is AKIAIOSFODNN7EXAMPLE, don't tell anyone"


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def post(client, body):
    return client.post(URL, body, content_type="application/json")


def batch(n: int, text: str = SECRET_POST):
    return {"posts": [{"id": f"p{i}", "text": f"{text} {i}"} for i in range(n)]}


def test_a_request_over_the_character_budget_is_a_413_with_the_limit(
    api_client, employee, settings
):
    settings.CHECK_MAX_CHARS = 1_000
    response = post(api_client(employee), {"posts": [{"text": "a" * 600}, {"text": "b" * 401}]})
    assert response.status_code == 413
    assert response.json()["detail"].startswith("This request holds 1,001 characters")
    assert "at most 1,000" in response.json()["detail"] and response.json()["field"] == "posts"
    assert CheckJob.objects.count() == 0


def test_too_many_requests_a_minute_get_a_429_with_retry_after(
    api_client, employee, employee2, settings
):
    settings.CHECK_RATE_REQUESTS_PER_MINUTE = 3
    client = api_client(employee)
    assert [post(client, {"text": "hello"}).status_code for _ in range(3)] == [200, 200, 200]
    refused = post(client, {"text": "hello"})
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "at most 3 requests a minute" in refused.json()["detail"]
    assert post(api_client(employee2), {"text": "hello"}).status_code == 200  # per person


def test_the_hourly_character_allowance_is_not_used_by_refused_requests(
    api_client, employee, settings
):
    settings.CHECK_RATE_CHARS_PER_HOUR = 100
    client = api_client(employee)
    assert post(client, {"text": "a" * 60}).status_code == 200
    refused = post(client, {"text": "b" * 60})
    assert refused.status_code == 429 and "characters an hour" in refused.json()["detail"]
    assert post(client, {"text": "c" * 40}).status_code == 200  # 60 + 40: still allowed


def test_the_counters_are_kept_in_the_django_cache(api_client, employee, settings):
    # Shared by every process when CACHES points at the database or Redis.
    settings.CHECK_RATE_REQUESTS_PER_MINUTE = 1
    assert post(api_client(employee), {"text": "hello"}).status_code == 200
    cache.clear()  # what another process sees after a cache flush: a fresh window
    assert post(api_client(employee), {"text": "hello"}).status_code == 200
    assert post(api_client(employee), {"text": "hello"}).status_code == 429


def test_a_small_batch_still_answers_at_once(api_client, employee):
    response = post(api_client(employee), batch(3))
    assert response.status_code == 200 and len(response.json()["results"]) == 3
    assert CheckJob.objects.count() == 0


def test_a_large_batch_becomes_a_job_with_the_same_results(
    api_client, employee, settings, django_capture_on_commit_callbacks
):
    client = api_client(employee)
    direct = post(client, batch(6)).json()["results"]

    settings.CHECK_SYNC_MAX_CHARS = 100
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        accepted = post(client, batch(6))
    assert accepted.status_code == 202
    body = accepted.json()
    assert body["status"] == "queued" and body["total"] == 6
    assert accepted["Location"] == body["result_url"] == f"/api/v1/check/jobs/{body['job_id']}"
    pending = client.get(body["result_url"]).json()
    assert pending["status"] == "queued" and pending["results"] is None

    for callback in callbacks:  # the worker (TASK_BACKEND=immediate)
        callback()

    done = client.get(body["result_url"]).json()
    assert (done["status"], done["done"], done["total"]) == ("done", 6, 6)
    assert done["results"] == direct
    assert CheckJob.objects.get().posts == []  # the input is not kept once screened


def test_a_job_is_private_to_its_requester(
    api_client, employee, employee2, outsider, settings, django_capture_on_commit_callbacks
):
    settings.CHECK_SYNC_MAX_CHARS = 10
    with django_capture_on_commit_callbacks(execute=True):
        url = post(api_client(employee), batch(2)).json()["result_url"]
    assert api_client(employee).get(url).status_code == 200
    assert api_client(employee2).get(url).status_code == 404
    assert api_client(outsider).get(url).status_code == 404
    assert api_client(employee).get("/api/v1/check/jobs/nope").status_code == 404


def test_jobs_per_person_are_bounded(api_client, employee, settings):
    settings.CHECK_SYNC_MAX_CHARS = 10
    settings.CHECK_MAX_ACTIVE_JOBS = 1
    client = api_client(employee)
    assert post(client, batch(2)).status_code == 202  # not run: on_commit never fires here
    refused = post(client, batch(2))
    assert refused.status_code == 429 and "batch checks running" in refused.json()["detail"]
    assert CheckJob.objects.count() == 1


def test_an_oversized_post_in_a_large_batch_is_refused_at_once(api_client, employee, settings):
    settings.CHECK_SYNC_MAX_CHARS = 10
    response = post(api_client(employee), {"posts": [{"text": "ok"}, {"text": "a" * 100_001}]})
    assert response.status_code == 422 and response.json()["field"] == "posts[1].text"
    assert CheckJob.objects.count() == 0


def test_old_jobs_are_purged(employee):
    job = CheckJob.objects.create(organization=employee.organization, requested_by=employee)
    CheckJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=25))
    fresh = CheckJob.objects.create(organization=employee.organization, requested_by=employee)
    assert check_jobs_purge() == 1
    assert list(CheckJob.objects.all()) == [fresh]


def test_the_schema_documents_202_413_and_429(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/check"]["post"]
    assert {"200", "202", "413", "429"} <= set(operation["responses"])
