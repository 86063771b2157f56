import json
import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.ops import health
from chorus.ops.logging import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


def test_readyz_reports_every_check_and_is_ready(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "cache", "task_queue", "migrations"}
    assert all(check["ok"] for check in body["checks"].values())


def test_readyz_answers_503_naming_the_failed_check(client, monkeypatch):
    def broken_cache() -> str:
        raise ConnectionError("cache server refused the connection")

    monkeypatch.setitem(health.CHECKS, "cache", broken_cache)

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["cache"] == {
        "ok": False,
        "detail": "ConnectionError: cache server refused the connection",
        "ms": body["checks"]["cache"]["ms"],
    }
    assert body["checks"]["database"]["ok"] is True


def test_readyz_names_unapplied_migrations(monkeypatch):
    class FakeMigration:
        app_label, name = "reports", "0009_new_thing"

    class FakeExecutor:
        def __init__(self, connection):
            self.loader = type("L", (), {"graph": type("G", (), {"leaf_nodes": lambda s: []})()})()

        def migration_plan(self, targets):
            return [(FakeMigration(), False)]

    monkeypatch.setattr(health, "_migrations_seen_applied", False)
    monkeypatch.setattr("django.db.migrations.executor.MigrationExecutor", FakeExecutor)

    with pytest.raises(
        RuntimeError, match=r"1 unapplied: reports.0009_new_thing; run `chorus migrate`"
    ):
        health.check_migrations()


def test_readyz_checks_redis_for_the_rq_backend(settings):
    settings.TASK_BACKEND = "rq"
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}  # nothing listens there

    result = health.readiness()["task_queue"]

    assert result.ok is False and "ConnectionError" in result.detail


def test_readyz_and_metrics_are_exempt_from_the_ssl_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.METRICS_TOKEN = "s3cret-token"

    assert client.get("/readyz").status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200
    assert client.get("/login/").status_code == 301


def test_metrics_are_off_without_a_token_or_allowed_addresses(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", []

    response = client.get("/metrics")

    assert response.status_code == 404
    assert b"METRICS_TOKEN" in response.content


def test_metrics_need_the_bearer_token(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "s3cret-token", []

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200


def test_metrics_allowed_addresses_accept_networks_and_refuse_others(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", ["10.0.0.0/8", "::1"]

    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 403


def test_metrics_with_both_protections_need_both(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "s3cret-token", ["127.0.0.1"]

    assert (
        client.get(
            "/metrics", REMOTE_ADDR="192.0.2.7", HTTP_AUTHORIZATION="Bearer s3cret-token"
        ).status_code
        == 403
    )
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 401
    assert (
        client.get(
            "/metrics", REMOTE_ADDR="127.0.0.1", HTTP_AUTHORIZATION="Bearer s3cret-token"
        ).status_code
        == 200
    )


def _metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in metrics")


def test_metrics_show_queue_depth_and_failures_for_the_database_backend(client, settings):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.TASK_BACKEND = "database"
    settings.METRICS_TOKEN = "t"
    common = {
        "args_kwargs": {"args": [], "kwargs": {}},
        "task_path": "x.y",
        "backend_name": "default",
        "queue_name": "default",
        "run_after": timezone.now() - timedelta(minutes=1),
    }
    waiting = DBTaskResult.objects.create(status=TaskResultStatus.READY, **common)
    DBTaskResult.objects.filter(pk=waiting.pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=10)
    )
    DBTaskResult.objects.create(status=TaskResultStatus.READY, **common)
    DBTaskResult.objects.create(status=TaskResultStatus.FAILED, **common)

    text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer t").content.decode()

    assert _metric(text, 'chorus_task_queue_depth{queue="default"}') == 2
    assert _metric(text, 'chorus_task_oldest_age_seconds{queue="default"}') >= 600
    assert _metric(text, 'chorus_tasks_failed{queue="default"}') == 1
    assert _metric(text, 'chorus_metrics_source_up{source="tasks"}') == 1


def test_metrics_show_sla_breaches_connector_lag_and_screening_time(
    client, settings, org, employee
):
    from chorus.checks.services import screen_text
    from chorus.monitoring.models import LinkedAccount
    from chorus.reports.models import Report

    settings.METRICS_TOKEN = "t"
    now = timezone.now()
    Report.objects.create(
        organization=org,
        url="https://x.com/a/1",
        url_normalized="x.com/a/1",
        network="x",
        category="leak",
        due_at=now - timedelta(hours=2),
    )
    Report.objects.create(
        organization=org,
        url="https://x.com/a/2",
        url_normalized="x.com/a/2",
        network="x",
        category="leak",
        due_at=now + timedelta(hours=2),
    )
    LinkedAccount.objects.create(
        organization=org,
        person=employee.person,
        network="mastodon",
        handle="@e@example.social",
        external_id="1",
        consent_version="1",
        status=LinkedAccount.Status.ACTIVE,  # ownership proven: only proven links are read
        consented_at=now - timedelta(hours=5),
        read_from=now,
        last_read_at=now - timedelta(minutes=30),
    )
    screen_text(organization=org, text="Proud of our team's launch today!")

    text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer t").content.decode()

    assert _metric(text, "chorus_reports_sla_breached") == 1
    assert 1700 < _metric(text, 'chorus_connector_lag_seconds{network="mastodon"}') < 3600
    assert _metric(text, 'chorus_connector_accounts{network="mastodon",status="active"}') == 1
    assert _metric(text, "chorus_screening_seconds_count") >= 1
    assert "chorus_http_requests_total" in text


def test_every_response_carries_a_request_id_and_a_valid_one_is_kept(client):
    generated = client.get("/healthz")["X-Request-ID"]
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234.abcd")["X-Request-ID"]
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")["X-Request-ID"]

    assert len(generated) == 32
    assert kept == "lb-1234.abcd"
    assert forged != "bad id\nwith newline" and len(forged) == 32


def test_access_log_lines_carry_the_request_id(client, caplog, org):
    with caplog.at_level(logging.INFO, logger="chorus.request"):
        client.get("/login/", HTTP_X_REQUEST_ID="trace-42")

    record = next(r for r in caplog.records if r.name == "chorus.request")
    assert record.request_id == "trace-42"
    assert (record.method, record.path, record.status) == ("GET", "/login/", 200)


def test_json_formatter_writes_one_object_per_line_with_the_request_id():
    record = logging.LogRecord(
        "chorus.x", logging.WARNING, __file__, 1, "hello %s", ("world",), None
    )
    record.status = 503
    RequestIdFilter().filter(record)

    line = JsonFormatter().format(record)

    payload = json.loads(line)
    assert payload["message"] == "hello world"
    assert payload["level"] == "WARNING" and payload["logger"] == "chorus.x"
    assert payload["request_id"] == "-" and payload["status"] == 503
    assert "\n" not in line


def test_log_format_is_validated():
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; settings.LOGGING"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_FORMAT": "xml"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "LOG_FORMAT='xml': use plain or json." in result.stderr


def test_the_access_log_costs_no_query_of_its_own(
    client_for, employee, django_assert_num_queries, caplog
):
    client = client_for(employee)  # a session cookie: reading request.user would query
    with caplog.at_level(logging.DEBUG, logger="chorus.request"), django_assert_num_queries(0):
        client.get("/healthz")

    record = next(r for r in caplog.records if r.name == "chorus.request")
    assert record.user_id is None and record.path == "/healthz"


def test_the_access_log_names_a_signed_in_user(client_for, employee, caplog):
    client = client_for(employee)
    with caplog.at_level(logging.INFO, logger="chorus.request"):
        client.get("/")

    record = next(r for r in caplog.records if r.name == "chorus.request")
    assert record.user_id == employee.pk
