from __future__ import annotations

import os
import threading
import time
from argparse import BooleanOptionalAction
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from chorus.common.faults import REDIS_ERRORS
from chorus.common.scheduling import scheduler_tick
from chorus.common.taskqueue import LeasedWorker, tasks_outbox_flush, tasks_recover_lost


class Command(BaseCommand):
    help = "Run the background task worker (database or Redis/RQ backend) with the scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-scheduler", action="store_true", help="Only run tasks.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Polling interval (database)."
        )
        parser.add_argument(
            "--scheduler-interval",
            type=float,
            default=30.0,
            help="Seconds between scheduler ticks (periodic jobs and recovery of lost tasks).",
        )
        parser.add_argument(
            "--reload",
            action=BooleanOptionalAction,
            default=settings.DEBUG,
            help="Restart on code changes (database backend; default: DEBUG).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_scheduler"]:
            threading.Thread(
                target=self._scheduler_loop,
                args=(options["scheduler_interval"],),
                name="scheduler",
                daemon=True,
            ).start()
        backend = settings.TASK_BACKEND
        self.stdout.write(f"Chorus worker: task backend {backend!r}")
        if backend == "database":
            self._run_database_worker(options)
        elif backend == "rq":
            self._run_rq_worker()
        else:
            self.stderr.write("TASK_BACKEND=immediate runs tasks inline; no worker is needed.")

    def _run_database_worker(self, options: dict[str, Any]) -> None:
        """django-tasks-db's `db_worker`, with a heartbeat per running task (LeasedWorker)."""
        DbWorkerCommand(stdout=self.stdout, stderr=self.stderr).configure_logging(  # type: ignore[arg-type]
            options["verbosity"]
        )
        worker = LeasedWorker(
            queue_names=list(settings.TASKS["default"].get("QUEUES") or ["default"]),
            interval=options["interval"],
            batch=False,
            backend_name="default",
            startup_delay=True,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        if options["reload"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()

    def _run_rq_worker(self) -> None:
        """django-rq's `rqworker`, restarted when it stops because Redis went away (it exits
        on a connection error while starting; once running, RQ itself waits for Redis)."""
        import django_rq

        pause = 1.0
        while True:
            try:
                django_rq.get_connection("default").ping()
            except REDIS_ERRORS as exc:
                self.stderr.write(f"Redis unavailable ({exc}); the worker retries in {pause:.0f} s")
                time.sleep(pause)
                pause = min(pause * 2, 30.0)
                continue
            try:
                call_command(
                    "rqworker", "default", job_class="django_tasks_rq.Job", with_scheduler=True
                )
                return
            except SystemExit as exc:
                if exc.code != 1:
                    raise
                # rqworker exits with 1 on a Redis connection error; the ping above decides.

    def _scheduler_loop(self, interval: float) -> None:
        # Each step on its own: Redis being down must not stop periodic jobs (they wait in
        # the outbox), nor the database being down stop anything for good.
        steps = (tasks_outbox_flush, tasks_recover_lost, scheduler_tick)
        while True:
            for step in steps:
                try:
                    close_old_connections()
                    step()
                except Exception as exc:  # keep the loop alive; the next tick retries
                    self.stderr.write(f"scheduler: {step.__name__} failed: {exc}")
            time.sleep(interval)
