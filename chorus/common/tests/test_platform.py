import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from chorus.common.models import ScheduledRun
from chorus.common.scheduling import PERIODIC_JOBS, PeriodicJob, scheduler_tick

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_a_session(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_pages_need_a_login(client, org):
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_pages_send_a_content_security_policy_without_inline_script(client):
    csp = client.get("/login/")["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_dashboard_renders_for_a_member(client_for, employee):
    assert b"Good to see you" in client_for(employee).get("/").content


def _run_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; settings.SECRET_KEY",
        ],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    result = _run_settings({"DEBUG": "false", "SECRET_KEY": "", "ALLOWED_HOSTS": "x.example"})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _run_settings({"DEBUG": "false", "SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": ""})
    assert result.returncode != 0 and "ALLOWED_HOSTS" in result.stderr


def test_a_bad_boolean_setting_is_named():
    result = _run_settings({"DEBUG": "maybe"})
    assert result.returncode != 0 and "DEBUG='maybe'" in result.stderr


class _FakeTask:
    module_path = "tests.fake"

    def __init__(self):
        self.enqueued = 0

    def enqueue(self):
        self.enqueued += 1


def test_the_scheduler_enqueues_each_slot_once(monkeypatch):
    fake = _FakeTask()
    monkeypatch.setitem(
        PERIODIC_JOBS,
        "tests.fake",
        PeriodicJob("tests.fake", __import__("datetime").timedelta(hours=1), fake),
    )
    now = datetime(2026, 11, 25, 10, 5, tzinfo=UTC)
    assert "tests.fake" in scheduler_tick(now=now)
    assert "tests.fake" not in scheduler_tick(now=now.replace(minute=50))
    assert "tests.fake" in scheduler_tick(now=now.replace(hour=11))
    assert fake.enqueued == 2
    assert ScheduledRun.objects.filter(job="tests.fake").count() == 2
