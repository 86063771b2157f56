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

    def handle(self, *args: Any, **options: Any) -> None:
        from chorus.monitoring.stream import JetstreamConsumer

        stopping = {"now": False}

        def request_stop(signum: int, frame: Any) -> None:
            stopping["now"] = True

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        consumer = JetstreamConsumer(base_url=options["url"], batch_size=options["batch_size"])
        self.stdout.write(f"Streaming from {options['url']} (cursor {consumer.saved_position()})")
        stats = consumer.run(stop=lambda: stopping["now"], max_events=options["max_events"])
        self.stdout.write(
            f"Stopped after {stats.events} events: {stats.posts_created} new posts, "
            f"{stats.posts_updated} edits, {stats.posts_deleted} deletions, "
            f"{stats.alerts} alerts, {stats.reconnects} reconnects."
        )
