from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from chorus.people.seed import seed_demo


class Command(BaseCommand):
    help = "Migrate, seed the demo, then run the web server and the task worker together."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addr", default=os.environ.get("CHORUS_ADDR", "127.0.0.1:8000"))
        parser.add_argument("--no-seed", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        logins: list[str] = []
        if not options["no_seed"]:
            _, logins = seed_demo()
        python = sys.executable
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        worker = subprocess.Popen([python, "-m", "chorus.cli", "worker"], env=env)
        web = subprocess.Popen(
            [python, "-m", "chorus.cli", "runserver_plain", options["addr"]], env=env
        )
        # The banner comes last, once the server answers, so start-up output cannot bury it.
        _wait_until_serving(options["addr"], web)
        self.stdout.write(self.style.SUCCESS(f"\nChorus is running at http://{options['addr']}/"))
        self.stdout.write(f"Task worker: pid {worker.pid} (backend {settings.TASK_BACKEND})")
        for line in logins:
            self.stdout.write(line)
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            self.stdout.write(
                f"E-mails go to {settings.EMAIL_FILE_PATH}; read them as an administrator at "
                f"http://{options['addr']}/dev/mailbox/"
            )
        self.stdout.write("Press Ctrl+C to stop.\n")
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for proc in (web, worker):
                if proc.poll() is None:
                    proc.send_signal(signal.SIGINT)
            for proc in (web, worker):
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()


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
