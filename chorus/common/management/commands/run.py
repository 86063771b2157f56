from __future__ import annotations

import os
import signal
import subprocess
import sys
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
        self.stdout.write(self.style.SUCCESS(f"\nChorus is running at http://{options['addr']}/"))
        self.stdout.write(f"Task worker: pid {worker.pid} (backend {settings.TASK_BACKEND})")
        for line in logins:
            self.stdout.write(line)
        self.stdout.write("Press Ctrl+C to stop.\n")
        web = subprocess.Popen(
            [python, "-m", "chorus.cli", "runserver_plain", options["addr"]], env=env
        )
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
