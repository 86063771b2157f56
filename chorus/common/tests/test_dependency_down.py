"""A database or Redis outage answers a clear 503 with Retry-After, never a 500 traceback.

These inject the error where an outage raises it; `test_outage_faults.py` (make test-faults)
cuts a real server off its PostgreSQL and Redis.
"""

from __future__ import annotations

import pytest
import redis.exceptions
from django.db import InterfaceError, OperationalError

from chorus.common import views as common_views
from chorus.people import api as people_api

pytestmark = pytest.mark.django_db

DB_DOWN = OperationalError('connection to server at "127.0.0.1", port 5432 failed: refused')


def _raiser(exc: BaseException):
    def fail(*args, **kwargs):
        raise exc

    return fail


@pytest.mark.parametrize("debug", [True, False])
def test_a_page_answers_503_with_a_clear_page_when_the_database_is_down(
    client_for, employee, monkeypatch, settings, debug
):
    settings.DEBUG = debug
    client = client_for(employee)
    monkeypatch.setattr(common_views, "cards_for", _raiser(DB_DOWN))

    response = client.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert "Chorus is temporarily unavailable" in body and "cannot reach its database" in body
    assert "Traceback" not in body and "127.0.0.1" not in body


def test_an_htmx_request_reloads_the_page_to_show_the_outage(client_for, employee, monkeypatch):
    client = client_for(employee)
    monkeypatch.setattr(common_views, "cards_for", _raiser(DB_DOWN))
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 503 and response["HX-Refresh"] == "true"


def test_a_dropped_connection_is_a_503_too(client_for, employee, monkeypatch):
    client = client_for(employee)
    monkeypatch.setattr(
        common_views, "cards_for", _raiser(InterfaceError("connection already closed"))
    )
    assert client.get("/").status_code == 503


@pytest.mark.parametrize("debug", [True, False])
def test_the_api_answers_503_json_when_the_database_is_down(
    api_client, employee, monkeypatch, settings, debug
):
    settings.DEBUG = debug
    client = api_client(employee)
    monkeypatch.setattr(people_api, "api_token_authenticate", _raiser(DB_DOWN))

    response = client.get("/api/v1/me")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["dependency"] == "database"
    assert "Try again in a minute" in response.json()["detail"]


def test_redis_unavailable_is_a_503_naming_redis(client_for, employee, monkeypatch):
    client = client_for(employee)
    monkeypatch.setattr(
        common_views, "cards_for", _raiser(redis.exceptions.ConnectionError("Error 111 connecting"))
    )
    response = client.get("/")
    assert response.status_code == 503 and "Redis" in response.content.decode()


def test_an_outage_inside_a_middleware_is_a_503(client_for, employee, monkeypatch, settings):
    """Saving the session happens in SessionMiddleware, after the view returned."""
    settings.DEBUG = False
    client = client_for(employee)
    from django.contrib.sessions.middleware import SessionMiddleware

    monkeypatch.setattr(SessionMiddleware, "process_response", _raiser(DB_DOWN))
    client.raise_request_exception = False  # as a real server: Django logs it and answers
    response = client.get("/")
    assert response.status_code == 503
    assert "temporarily unavailable" in response.content.decode()


def test_other_errors_are_not_disguised_as_an_outage(client_for, employee, monkeypatch):
    client = client_for(employee)
    client.raise_request_exception = True
    monkeypatch.setattr(common_views, "cards_for", _raiser(ValueError("a bug")))
    with pytest.raises(ValueError):
        client.get("/")


def _settings_value(expression: str, **env: str) -> str:
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; from django.conf import settings; print({expression})",
        ],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_an_unreachable_database_or_redis_fails_fast_instead_of_hanging():
    pg = _settings_value(
        "settings.DATABASES['default']['OPTIONS']['connect_timeout']",
        DATABASE_URL="postgres://chorus@db.invalid/chorus",
    )
    redis_url = _settings_value(
        "settings.RQ_QUEUES['default']['URL']", REDIS_URL="redis://redis.invalid:6379/2"
    )
    assert pg == "5"
    assert redis_url == "redis://redis.invalid:6379/2?socket_connect_timeout=5"
