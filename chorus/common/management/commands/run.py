from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from chorus.people.models import Organization
from chorus.people.seed import DEMO_SLUG, demo_allowed, seed_demo

# How long the web server and the worker get to finish after SIGTERM before they are killed.
STOP_TIMEOUT_SECONDS = 15


class Command(BaseCommand):
    help = "Migrate, seed the demo, then run the web server and the task worker together."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default=os.environ.get("CHORUS_ADDR", "127.0.0.1:8000"))
        parser.add_argument(
            "--no-seed",
            action="store_true",
            help="Do not create the demo on an empty database (then /setup/ creates yours).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        logins = self._seed(skip=options["no_seed"])
        python = sys.executable
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        children: list[subprocess.Popen[bytes]] = []
        stop_signal: list[int] = []

        def forward(signum: int, frame: FrameType | None) -> None:
            # systemd, docker stop and a closed terminal send SIGTERM to this process only:
            # pass it on, or the server and worker outlive us and keep the port.
            stop_signal.append(signum)
            for child in children:
                _signal_group(child, signal.SIGTERM)

        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, forward)
        # Each child leads its own process group, so a signal reaches anything it started
        # (RQ's work horses) and Ctrl+C reaches them only through us, once.
        worker = subprocess.Popen(
            [python, "-m", "chorus.cli", "worker"], env=env, start_new_session=True
        )
        children.append(worker)
        web = subprocess.Popen(
            [python, "-m", "chorus.cli", "runserver_plain", options["addr"]],
            env=env,
            start_new_session=True,
        )
        children.append(web)
        # The banner comes last, once the server answers, so start-up output cannot bury it.
        _wait_until_serving(options["addr"], web)
        self.stdout.write(self.style.SUCCESS(f"\nChorus is running at http://{options['addr']}/"))
        self.stdout.write(f"Web server: pid {web.pid}")
        self.stdout.write(f"Task worker: pid {worker.pid} (backend {settings.TASK_BACKEND})")
        for line in logins:
            self.stdout.write(line)
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            self.stdout.write(
                f"E-mails go to {settings.EMAIL_FILE_PATH}; read them as an administrator at "
                f"http://{options['addr']}/dev/mailbox/"
            )
        self.stdout.write("Press Ctrl+C to stop.\n")
        while not stop_signal and all(child.poll() is None for child in children):
            time.sleep(0.2)
        failed = [c for c in children if c.poll() not in (None, 0)] if not stop_signal else []
        self._stop(children)
        if failed:
            names = {web.pid: "web server", worker.pid: "task worker"}
            self.stderr.write(
                f"The {names[failed[0].pid]} stopped (exit {failed[0].returncode}); "
                "stopped the rest too."
            )
            raise SystemExit(1)

    def _seed(self, *, skip: bool) -> list[str]:
        """Seed the demo on an empty database in development; never add it beside a real
        organization, and never in production unless CHORUS_ALLOW_DEMO is set."""
        if skip:
            return []
        demo_exists = Organization.objects.filter(slug=DEMO_SLUG).exists()
        if not demo_exists and Organization.objects.exists():
            return []
        if not demo_allowed():
            self.stdout.write(
                "Not creating the demo (DEBUG=false). Open /setup/ or run `chorus init` to "
                "create your organization."
            )
            return []
        _, logins = seed_demo()
        return logins

    def _stop(self, children: list[subprocess.Popen[bytes]]) -> None:
        for child in children:
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(child, signal.SIGKILL)
                child.wait()


def _signal_group(child: subprocess.Popen[bytes], signum: int) -> None:
    if child.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)


def _wait_until_serving(addr: str, web: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Return once `addr` accepts connections (or the server exits, or `timeout` passes)."""
    host, _, port = addr.rpartition(":")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and web.poll() is None:
        try:
            with socket.create_connection((host or "127.0.0.1", int(port)), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
