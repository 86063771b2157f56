from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from chorus.common.scheduling import scheduler_tick


class Command(BaseCommand):
    help = "Run the background task worker (database or Redis/RQ backend) with the scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-scheduler", action="store_true", help="Only run tasks.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Polling interval (database)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_scheduler"]:
            threading.Thread(target=self._scheduler_loop, name="scheduler", daemon=True).start()
        backend = settings.TASK_BACKEND
        self.stdout.write(f"Chorus worker: task backend {backend!r}")
        if backend == "database":
            call_command("db_worker", interval=options["interval"])
        elif backend == "rq":
            call_command(
                "rqworker", "default", job_class="django_tasks_rq.Job", with_scheduler=True
            )
        else:
            self.stderr.write("TASK_BACKEND=immediate runs tasks inline; no worker is needed.")

    def _scheduler_loop(self) -> None:
        while True:
            try:
                close_old_connections()
                scheduler_tick()
            except Exception as exc:  # keep the loop alive; the next tick retries
                self.stderr.write(f"scheduler tick failed: {exc}")
            time.sleep(30)
