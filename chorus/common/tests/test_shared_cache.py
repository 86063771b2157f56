"""CACHES: the database cache by default (its table made by every `migrate`), Redis with
CACHE_URL, a clear error for anything else (issue 11, item 15)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.db import connection


def _cache_backend(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION'])",
        ],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_default_cache_is_a_table_in_the_main_database():
    result = _cache_backend({"CACHE_URL": ""})
    assert result.stdout.split() == ["chorus.common.cache.DatabaseCache", "chorus_cache"]


def test_a_redis_cache_url_selects_redis():
    result = _cache_backend({"CACHE_URL": "redis://127.0.0.1:6379/3"})
    assert result.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/3",
    ]


def test_an_unknown_cache_url_is_refused_with_what_to_do():
    result = _cache_backend({"CACHE_URL": "memcached://x"})
    assert result.returncode != 0
    assert "CACHE_URL='memcached://x'" in result.stderr and "redis://" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_migrate_creates_the_cache_table_when_it_is_missing():
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE chorus_cache")
    assert "chorus_cache" not in connection.introspection.table_names()

    call_command("migrate", interactive=False, verbosity=0)

    assert "chorus_cache" in connection.introspection.table_names()


@pytest.mark.redis
def test_two_redis_clients_share_one_count_that_survives_a_new_client():
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    one, two = RedisCache(url, {}), RedisCache(url, {})
    key = "chorus-test:key-attempts"
    one.delete(key)
    try:
        one.add(key, 0, timeout=900)
        one.incr(key)
        two.incr(key)
        assert RedisCache(url, {}).get(key) == 2  # a restarted process reads the same count
    finally:
        one.delete(key)
