from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from chorus.common.scheduling import scheduler_tick
from chorus.common.taskqueue import tasks_outbox_flush, tasks_recover_lost


class Command(BaseCommand):
    help = "Enqueue periodic jobs when due (runs inside `chorus worker`; safe on many machines)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")
        parser.add_argument("--interval", type=float, default=30.0, help="Seconds between ticks.")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            close_old_connections()
            sent = tasks_outbox_flush()  # tasks kept while Redis was unreachable
            if sent:
                self.stdout.write(f"sent {sent} task(s) from the outbox to Redis")
            # Tasks whose worker died go back in the queue (or fail after TASK_MAX_ATTEMPTS).
            recovery = tasks_recover_lost()
            for task_id in recovery.requeued:
                self.stdout.write(f"re-queued lost task {task_id}")
            for task_id in recovery.failed:
                self.stdout.write(f"failed lost task {task_id} (too many lost runs)")
            for name in scheduler_tick():
                self.stdout.write(f"enqueued {name}")
            if options["once"]:
                return
            time.sleep(options["interval"])
