"""Helpers for the fault suite (`make test-faults`): throw-away databases, real `chorus`
processes, and a TCP proxy that can cut a dependency off and bring it back."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
PG_ADMIN_URL = os.environ.get("FAULTS_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# A Redis database of the fault suite's own: the tests flush it.
REDIS_URL = os.environ.get("FAULTS_REDIS_URL", "redis://127.0.0.1:6379/15")
REDIS_PORT = int(REDIS_URL.rsplit(":", 1)[1].split("/")[0])
REDIS_DB = REDIS_URL.rsplit("/", 1)[1]
# Subprocesses load only the core apps: the faults under test live there, and it keeps
# migrations (run once per throw-away database) short.
CORE_ONLY = {"CHORUS_APPS": "core-only"}


def base_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **CORE_ONLY}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 180) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


def wait_for(predicate: Callable[[], Any], *, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- throw-away databases ---------------------------------------------------------------------


class Database:
    """A migrated database of its own, read with plain SQL so the test needs no Django setup."""

    def __init__(self, url: str, vendor: str) -> None:
        self.url, self.vendor = url, vendor

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self.vendor == "sqlite":
            with sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=20) as conn:
                return conn.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    def task_row(self, task_id: str) -> tuple[str, list[str]] | None:
        import json

        key = uuid.UUID(task_id).hex if self.vendor == "sqlite" else task_id
        rows = self.query(
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = %s",
            (key,),
        )
        if not rows:
            return None
        status, worker_ids = rows[0]
        return status, worker_ids if isinstance(worker_ids, list) else json.loads(worker_ids)


@contextmanager
def sqlite_database(directory: Path) -> Iterator[Database]:
    url = f"sqlite:///{directory / 'faults.sqlite3'}"
    manage("migrate", "-v0", env=base_env(DATABASE_URL=url))
    yield Database(url, "sqlite")


@contextmanager
def postgres_database() -> Iterator[Database]:
    import psycopg

    name = f"h11d_faults_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        manage("migrate", "-v0", env=base_env(DATABASE_URL=url))
        yield Database(url, "postgresql")
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- processes -------------------------------------------------------------------------------


class Process:
    """A `chorus` process in its own process group, so SIGKILL takes it down with children."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._out = log.open("w")
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "chorus.cli", *args],
            cwd=ROOT,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """What an OOM-killer or a lost machine does: no signal handler, no cleanup."""
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)
        self._out.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


# --- a TCP proxy that can cut the line --------------------------------------------------------


class CutOffProxy:
    """Forwards 127.0.0.1:<port> to a real server until `cut()`; `restore()` reconnects.

    Cutting closes every open connection and refuses new ones, as a database restart or a
    network partition does, without touching the shared server behind it.
    """

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            for sock in self._open:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    close = cut

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:
                    # cut() ran while this connection was being set up: it must not survive.
                    for sock in (client, upstream):
                        sock.close()
                    return
                self._open.update({client, upstream})
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
