"""Readiness checks for `/readyz`: can this process serve traffic right now?

Each check is cheap and bounded in time (a `SELECT 1`, a cache round trip, a Redis `PING`
with a two-second timeout, a one-row query on the task table) and never raises: a failure is
reported with its reason. Only "migrations applied" loads the migration graph; once it has been
seen complete it is remembered for the life of the process, because a new migration can only
arrive with new code, that is with a new process.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    detail: str
    ms: float

    def to_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "detail": self.detail, "ms": self.ms}


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.vendor


def check_cache() -> str:
    key = f"chorus:readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    try:
        if cache.get(key) != "1":
            raise RuntimeError("the cache accepted a value but did not return it")
    finally:
        cache.delete(key)
    return type(caches["default"]).__name__


def check_task_queue() -> str:
    backend = settings.TASK_BACKEND
    if backend == "immediate":
        return "immediate (tasks run inline, no queue)"
    if backend == "database":
        from django_tasks_db.models import DBTaskResult

        list(DBTaskResult.objects.order_by().values_list("pk", flat=True)[:1])
        return "database queue reachable"
    if backend == "rq":
        import redis

        url = settings.RQ_QUEUES["default"]["URL"]
        client = redis.Redis.from_url(str(url), socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
        return "redis queue reachable"
    raise RuntimeError(f"unknown TASK_BACKEND {backend!r}")


_migrations_seen_applied = False


def check_migrations() -> str:
    global _migrations_seen_applied
    if _migrations_seen_applied:
        return "all applied"
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
        raise RuntimeError(f"{len(plan)} unapplied: {names}{more}; run `chorus migrate`")
    _migrations_seen_applied = True
    return "all applied"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "cache": check_cache,
    "task_queue": check_task_queue,
    "migrations": check_migrations,
}


def readiness() -> dict[str, CheckResult]:
    """Run every check; the caller is ready only when every result is `ok`."""
    results: dict[str, CheckResult] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            detail, ok = check(), True
        except Exception as exc:  # a readiness probe reports, it never crashes
            detail, ok = f"{exc.__class__.__name__}: {exc}"[:300], False
        results[name] = CheckResult(ok, detail, round((time.perf_counter() - started) * 1000, 1))
    return results
