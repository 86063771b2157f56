"""`chorus stream`: the long-lived Jetstream consumer for linked Bluesky accounts."""

from __future__ import annotations

import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from chorus.connectors.bluesky.adapter import PUBLIC_JETSTREAM


class Command(BaseCommand):
    help = "Stream posts of linked Bluesky accounts from Jetstream in real time (own process)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--url", default=getattr(settings, "CONNECTOR_BLUESKY_JETSTREAM_URL", PUBLIC_JETSTREAM),
            help="Jetstream v1 subscribe URL (default: the public US-East instance).")
        parser.add_argument("--batch-size", type=int, default=200,
                            help="Events committed together with the cursor (default 200).")
        parser.add_argument("--max-events", type=int, default=None,
                            help="Stop after this many events (for trials).")
        parser.add_argument("--leader-poll", type=float, default=5.0,
                            help="Seconds between a follower's attempts to take the lead, and "
                            "between the leader's checks that it still leads (default 5).")

    def handle(self, *args: Any, **options: Any) -> None:
        import time

        from chorus.monitoring.stream import (
            CURSOR_NAME,
            JetstreamConsumer,
            StreamFenced,
            StreamLeadership,
        )

        stopping = {"now": False}

        def request_stop(signum: int, frame: Any) -> None:
            stopping["now"] = True

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        consumer = JetstreamConsumer(base_url=options["url"], batch_size=options["batch_size"])
        if options["verbosity"] >= 2:
            def committed(n: int, first: int, last: int) -> None:
                self.stdout.write(f"committed {n} events {first}..{last}")
                self.stdout.flush()

            consumer.on_commit = committed
        poll = options["leader_poll"]
        leadership = StreamLeadership(CURSOR_NAME, check_seconds=poll)
        waiting_said = False
        stats = consumer.stats
        while not stopping["now"]:
            if not leadership.try_acquire():
                if not waiting_said:
                    self.stdout.write("Another chorus stream leads; waiting to take over.")
                    self.stdout.flush()
                    waiting_said = True
                time.sleep(poll)
                continue
            waiting_said = False
            self.stdout.write(f"Leading: streaming from {options['url']} "
                              f"(cursor {consumer.saved_position()})")
            self.stdout.flush()
            try:
                stats = consumer.run(
                    stop=lambda: stopping["now"] or not leadership.held(),
                    max_events=options["max_events"])
            except StreamFenced as exc:
                self.stdout.write(f"No longer leading: {exc}.")
            finally:
                leadership.release()
            if options["max_events"] is not None and stats.events >= options["max_events"]:
                break
        self.stdout.write(
            f"Stopped after {stats.events} events: {stats.posts_created} new posts, "
            f"{stats.posts_updated} edits, {stats.posts_deleted} deletions, "
            f"{stats.alerts} alerts, {stats.reconnects} reconnects."
        )
