"""Wrong report keys are limited per client: after REPORTS_KEY_ATTEMPTS failures in 15 minutes
the key page answers 429 with a clear message, looks nothing up and writes nothing."""

from __future__ import annotations

import base64
import datetime
import pickle
import time

import pytest
from django.core.cache.backends import db as django_db_cache
from django.db import connection
from django.utils import timezone

from chorus.common import cache as chorus_cache
from chorus.reports.models import ReportEvent
from chorus.reports.services import report_ask
from chorus.reports.tests.conftest import submit

pytestmark = pytest.mark.django_db

FOLLOW_UP = "/r/"
WRONG = {"key": "AAAAA-BBBBB-CCCCC-DDDDD"}
ADDRESS = "203.0.113.7"


def _try(client, data, address=ADDRESS):
    return client.post(FOLLOW_UP, data, REMOTE_ADDR=address)


def test_after_the_allowed_wrong_keys_the_page_says_too_many_attempts(settings, client):
    settings.REPORTS_KEY_ATTEMPTS = 3

    statuses = [_try(client, WRONG).status_code for _ in range(3)]
    blocked = _try(client, WRONG)

    assert statuses == [422, 422, 422]
    body = blocked.content.decode()
    assert blocked.status_code == 429
    assert "Too many attempts, try again in a few minutes" in body
    assert blocked["Retry-After"] == "900"
    assert "No report matches this key" not in body
    assert client.get(FOLLOW_UP, REMOTE_ADDR=ADDRESS).status_code == 429


def test_the_default_allows_ten_wrong_keys(client):
    statuses = [_try(client, WRONG).status_code for _ in range(11)]

    assert statuses == [422] * 10 + [429]


def test_a_blocked_client_cannot_open_or_answer_a_report_even_with_the_right_key(
        settings, rules, employee2, hr, client):
    settings.REPORTS_KEY_ATTEMPTS = 2
    result = submit(reporter=employee2, anonymous=True)
    report_ask(report=result.report, submission=result.submission, actor=hr,
               question="Which account was it?")
    events = ReportEvent.objects.count()
    for _ in range(2):
        _try(client, WRONG)

    page = _try(client, {"key": result.key, "answer": "The one called @troll."})

    assert page.status_code == 429
    assert "Which account was it?" not in page.content.decode()
    assert ReportEvent.objects.count() == events  # the answer was not recorded


def test_the_limit_is_per_client(settings, rules, employee2, client):
    settings.REPORTS_KEY_ATTEMPTS = 2
    result = submit(reporter=employee2, anonymous=True)
    for _ in range(3):
        _try(client, WRONG)

    other = _try(client, {"key": result.key}, address="198.51.100.23")

    assert other.status_code == 200


def test_a_right_key_neither_counts_nor_resets_the_wrong_ones(
        settings, rules, employee2, client):
    settings.REPORTS_KEY_ATTEMPTS = 3
    result = submit(reporter=employee2, anonymous=True)

    first = [_try(client, WRONG).status_code for _ in range(2)]
    right = _try(client, {"key": result.key}).status_code
    last = [_try(client, WRONG).status_code for _ in range(2)]

    assert (first, right, last) == ([422, 422], 200, [422, 429])


def test_malformed_keys_are_refused_by_the_form_and_do_not_count(settings, client):
    settings.REPORTS_KEY_ATTEMPTS = 1

    statuses = [_try(client, {"key": ""}).status_code for _ in range(3)]

    assert statuses == [422, 422, 422]
    assert _try(client, WRONG).status_code == 422


def test_the_window_ends_after_15_minutes(settings, client, monkeypatch):
    settings.REPORTS_KEY_ATTEMPTS = 1
    _try(client, WRONG)
    assert _try(client, WRONG).status_code == 429

    later = timezone.now() + datetime.timedelta(minutes=15, seconds=1)
    # The database cache compares stored expiry times with its module's `tz_now`.
    monkeypatch.setattr(django_db_cache, "tz_now", lambda: later)
    monkeypatch.setattr(chorus_cache, "tz_now", lambda: later)
    monkeypatch.setattr(time, "time", lambda: later.timestamp())

    assert _try(client, WRONG).status_code == 422


def test_the_client_address_is_never_stored_in_clear(client):
    _try(client, WRONG)

    with connection.cursor() as cursor:  # the shared database cache
        cursor.execute("SELECT cache_key, value FROM chorus_cache")
        stored = cursor.fetchall()
    assert len(stored) == 1
    for key, value in stored:
        assert ADDRESS not in key
        assert ADDRESS not in str(pickle.loads(base64.b64decode(value)))
