import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chorus.people.models import Organization
from chorus.people.seed import DemoRefused, seed_demo

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def test_the_demo_is_refused_in_production_without_an_explicit_flag(settings):
    settings.CHORUS_DEMO_ALLOWED = False
    with pytest.raises(DemoRefused, match="CHORUS_ALLOW_DEMO"):
        seed_demo()
    with pytest.raises(CommandError, match="--force"):
        call_command("seed", stdout=io.StringIO())
    assert not Organization.objects.exists()
    call_command("seed", "--force", stdout=io.StringIO())
    assert Organization.objects.filter(slug="northwind-robotics").exists()


def test_chorus_run_seeds_the_demo_on_an_empty_database_in_development():
    from chorus.common.management.commands.run import Command

    logins = Command()._seed(skip=False)
    assert logins[0].startswith("Demo logins")
    assert Organization.objects.filter(slug="northwind-robotics").exists()


def test_chorus_run_skips_the_demo_in_production(settings):
    from chorus.common.management.commands.run import Command

    settings.CHORUS_DEMO_ALLOWED = False
    command = Command(stdout=io.StringIO())
    assert command._seed(skip=False) == []
    assert not Organization.objects.exists()


def test_chorus_run_does_not_add_the_demo_beside_a_real_organization(other_org):
    from chorus.common.management.commands.run import Command

    assert Command()._seed(skip=False) == []
    assert not Organization.objects.filter(slug="northwind-robotics").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes (its parent has not reaped it yet).
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


def _descendants(root: int) -> list[int]:
    """Every process below `root` (read from /proc, not from what the command prints): the
    worker runs under an autoreloader, so it is two processes."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = [], [root]
    while frontier:
        children = [pid for pid, ppid in parents.items() if ppid in frontier]
        found += children
        frontier = children
    return found


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.django_db(transaction=False)
def test_sigterm_to_chorus_run_stops_the_web_server_and_the_worker(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "TASK_BACKEND": "database",
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    log = (tmp_path / "run.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "chorus.cli", "run", "--no-seed", f"--addr=127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    pids: list[int] = []
    try:

        def listening() -> bool:
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0

        assert _wait(listening, 120), (tmp_path / "run.log").read_text()
        pids = _descendants(proc.pid)
        assert len(pids) >= 2, pids  # the web server and the worker

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0

        assert _wait(lambda: not any(_alive(p) for p in pids), 30), pids
        assert not listening()
        with socket.socket() as s:  # the port is free for the next start
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
    finally:
        for pid in [proc.pid, *pids]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        log.close()
