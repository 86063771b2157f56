"""Helpers for tests that must pass with every task backend (inline, or RQ through Redis)
and on every database (concurrency through connections of their own)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django_tasks import TaskResultStatus


def enqueue_and_wait(task: Any, *args: Any, **kwargs: Any) -> Any:
    """Enqueue `task` and return its finished result.

    With the immediate backend the result is final at once; with RQ in synchronous mode the job
    ran inside `enqueue` but the returned object predates it, so it is refreshed from Redis.
    """
    result = task.enqueue(*args, **kwargs)
    backend = result.task.get_backend()
    if result.status != TaskResultStatus.SUCCESSFUL and backend.supports_get_result:
        result.refresh()
    return result


@contextmanager
def own_connections_per_thread(tmp_dir: Path) -> Iterator[None]:
    """Inside the block, threads reach the test database through connections of their own, as
    separate web workers would (for concurrency tests; use `django_db(transaction=True)` so the
    data set up before is committed and visible to them).

    PostgreSQL: they already do. SQLite: the test database lives in memory, where separate
    connections do not behave like separate processes, so it is copied to a file in `tmp_dir`
    and new connections open that file with the project's settings (WAL, busy timeout,
    transaction mode). The copy is thrown away afterwards: read results inside the block
    with `in_own_connection`.
    """
    settings_dict = connections.settings[DEFAULT_DB_ALIAS]
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    path = tmp_dir / "concurrency.sqlite3"
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    connections.settings[DEFAULT_DB_ALIAS] = {**settings_dict, "NAME": str(path)}
    try:
        yield
    finally:
        connections.settings[DEFAULT_DB_ALIAS] = settings_dict


def run_concurrently(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run every call in its own thread, all released at the same moment, and return their
    results (or the exception each raised) in order. Each thread closes its connections."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def in_own_connection(call: Callable[[], Any]) -> Any:
    """Run `call` in a fresh thread (so through its own connection) and return its result."""
    (result,) = run_concurrently([call])
    if isinstance(result, Exception):
        raise result
    return result
