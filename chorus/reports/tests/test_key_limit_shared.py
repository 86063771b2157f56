"""The report-key limit lives in the cache every process shares (issue 11, item 15): another
web worker sees the same count, a restart does not reset it, and behind the proxy each client
has its own count."""

from __future__ import annotations

import contextlib
import datetime

import pytest
from django.core.cache import caches
from django.core.cache.backends import locmem
from django.db import connection
from django.test import Client

from chorus.common.cache import DatabaseCache
from chorus.common.testing import in_own_connection, own_connections_per_thread, run_concurrently

pytestmark = pytest.mark.django_db

WRONG = {"key": "AAAAA-BBBBB-CCCCC-DDDDD"}


def _fresh_process_memory() -> None:
    """What another worker process, or this one after a restart, has: no in-memory cache."""
    locmem._caches.clear()
    locmem._expire_info.clear()
    locmem._locks.clear()
    caches.close_all()
    for alias in list(caches):
        with contextlib.suppress(AttributeError):
            delattr(caches._connections, alias)


def test_wrong_keys_counted_by_one_process_are_seen_by_another_and_after_a_restart(settings):
    settings.REPORTS_KEY_ATTEMPTS = 3
    worker_one = Client(REMOTE_ADDR="203.0.113.7")
    assert [worker_one.post("/r/", WRONG).status_code for _ in range(3)] == [422] * 3

    _fresh_process_memory()

    worker_two = Client(REMOTE_ADDR="203.0.113.7")
    assert worker_two.post("/r/", WRONG).status_code == 429


def test_the_default_cache_is_the_shared_database_cache():
    backend = caches["default"]
    assert isinstance(backend, DatabaseCache)
    other = caches.create_connection("default")  # a second client, as in another process
    backend.set("probe", "from one", 60)
    assert other.get("probe") == "from one"


def test_incr_keeps_the_window_of_the_first_failure():
    cache = caches["default"]
    cache.add("window", 0, timeout=900)
    before = _expires("window")

    assert cache.incr("window") == 1
    assert cache.incr("window", 5) == 6
    assert cache.decr("window") == 5

    assert _expires("window") == before  # Django's own incr() resets it to the 300 s default
    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-set")


def test_incr_of_an_expired_entry_is_refused(monkeypatch):
    cache = caches["default"]
    cache.add("old", 7, timeout=1)
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=5)
    monkeypatch.setattr("chorus.common.cache.tz_now", lambda: later)
    with pytest.raises(ValueError):
        cache.incr("old")


def test_behind_the_proxy_each_forwarded_client_has_its_own_count(settings):
    settings.REPORTS_KEY_ATTEMPTS = 2
    settings.TRUSTED_PROXY_COUNT = 1
    guesser = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    reporter = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.23")
    for _ in range(2):
        guesser.post("/r/", WRONG)

    assert guesser.post("/r/", WRONG).status_code == 429
    assert reporter.post("/r/", WRONG).status_code == 422


def _expires(key: str):
    cache = caches["default"]
    assert isinstance(cache, DatabaseCache)
    db_key = cache.make_and_validate_key(key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM chorus_cache WHERE cache_key = %s", [db_key])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_wrong_keys_are_all_counted(tmp_path):
    # Django's own database-cache incr() reads then writes: concurrent failures got lost.
    key = "reports:key-attempts:concurrent"
    with own_connections_per_thread(tmp_path):
        in_own_connection(lambda: caches["default"].add(key, 0, timeout=900))
        results = run_concurrently([lambda: caches["default"].incr(key)] * 30)
        final = in_own_connection(lambda: caches["default"].get(key))
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sorted(results) == list(range(1, 31))
    assert final == 30
