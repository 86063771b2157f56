"""Real-time ingestion from Bluesky's Jetstream, run as its own process by `chorus stream`.

Delivery is at least once and processing is idempotent:

- Messages are handled in small batches; each batch's posts and the stream cursor (the last
  event's `time_us`) are committed in one transaction. A crash anywhere loses nothing (the
  uncommitted batch is replayed from the saved cursor) and duplicates nothing (posts are unique
  per network and id, and a replayed event finds its post already stored).
- The subscription is filtered to the DIDs of linked accounts whose consent stands; every
  event is checked again against the database in its batch, so a revoked account is never
  stored even while the filter catches up. With no linked DID we do not connect at all (an
  unfiltered Jetstream sends every post on the network).
- Each new or edited post is screened with its organization's policy, built once per
  organization and refreshed every minute (`ScreenerCache`).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.sync.client import connect

from chorus.connectors.base import ConnectorError, StreamEvent
from chorus.connectors.bluesky.adapter import BlueskyConnector
from chorus.monitoring.models import LinkedAccount, Network, StreamCursor
from chorus.monitoring.screening import ScreenerCache
from chorus.monitoring.selectors import stream_dids
from chorus.monitoring.services import (
    IngestResult,
    account_mark_attention,
    apply_remote_delete,
    settings_get,
    store_new_posts,
)

logger = logging.getLogger(__name__)
CURSOR_NAME = "bluesky-jetstream"


@dataclass
class StreamStats:
    events: int = 0
    posts_created: int = 0
    posts_updated: int = 0
    posts_deleted: int = 0
    ignored: int = 0
    malformed: int = 0
    batches: int = 0
    reconnects: int = 0
    alerts: int = 0
    lags_us: list[int] = field(default_factory=list)


class JetstreamConsumer:
    """Consume Jetstream into `IngestedPost` rows. `handle_batch` is the unit of work (also
    used directly by the benchmark); `run` owns the socket, reconnects and filter refresh."""

    def __init__(
        self, *, base_url: str, cursor_name: str = CURSOR_NAME, batch_size: int = 200,
        refresh_seconds: float = 30.0, record_lag: bool = False,
    ) -> None:
        self.base_url = base_url
        self.cursor_name = cursor_name
        self.batch_size = batch_size
        self.refresh_seconds = refresh_seconds
        self.record_lag = record_lag
        self.parser = BlueskyConnector()
        self.screeners = ScreenerCache()
        self.stats = StreamStats()

    # ------------------------------------------------------------ unit of work

    def saved_position(self) -> int:
        row = StreamCursor.objects.filter(name=self.cursor_name).first()
        return row.position if row else 0

    def handle_batch(self, messages: list[str | bytes]) -> None:
        events: list[StreamEvent] = []
        for raw in messages:
            try:
                event = self.parser.parse_event(raw)
            except ConnectorError:
                self.stats.malformed += 1
                logger.warning("jetstream: skipped a malformed message")
                continue
            if event is not None:
                events.append(event)
        if not events:
            return
        with transaction.atomic():
            self._apply(events)
            position = max(e.position for e in events)
            updated = StreamCursor.objects.filter(name=self.cursor_name).update(
                position=position, updated_at=timezone.now())
            if not updated:
                StreamCursor.objects.create(name=self.cursor_name, position=position)
        self.stats.events += len(events)
        self.stats.batches += 1
        if self.record_lag:
            now_us = int(time.time() * 1_000_000)
            self.stats.lags_us.extend(now_us - e.position for e in events)

    def _apply(self, events: list[StreamEvent]) -> None:
        relevant = {e.author_id for e in events if e.operation != "skip"}
        if not relevant:
            self.stats.ignored += len(events)
            return
        accounts = {
            a.external_id: a
            for a in LinkedAccount.objects.filter(network=Network.BLUESKY,
                                                  external_id__in=relevant,
                                                  verified_at__isnull=False)
            .exclude(status=LinkedAccount.Status.REVOKED)
            .select_related("organization", "person")
        }
        settings_by_org: dict[int, Any] = {}

        def settings_for(account: LinkedAccount) -> Any:
            found = settings_by_org.get(account.organization_id)
            if found is None:
                found = settings_by_org[account.organization_id] = settings_get(
                    organization=account.organization)
            return found

        def screen_for(account: LinkedAccount) -> Any:
            return self.screeners.get(account.organization)

        touched: set[int] = set()
        result = IngestResult()
        pending: list[tuple[LinkedAccount, Any]] = []
        pending_ids: set[str] = set()

        profile_changed: set[str] = set()

        def flush() -> None:
            store_new_posts(items=pending, screen_for=screen_for, settings_for=settings_for,
                            result=result)
            pending.clear()
            pending_ids.clear()

        for event in events:
            account = accounts.get(event.author_id)
            if account is None or event.operation == "skip":
                self.stats.ignored += 1
                continue
            touched.add(account.pk)
            if event.operation == "profile":
                profile_changed.add(event.author_id)
                continue
            if event.operation in ("create", "update") and event.post is not None:
                if event.external_id in pending_ids:
                    flush()  # keep the order: the create lands before its edit
                pending.append((account, event.post))
                pending_ids.add(event.external_id)
                continue
            flush()
            if event.operation == "delete":
                if apply_remote_delete(account=account, external_id=event.external_id):
                    self.stats.posts_deleted += 1
            elif event.operation == "account" and not event.active:
                account_mark_attention(
                    account=account,
                    message="Bluesky reports this account as "
                    f"{event.status or 'deactivated'}. Reactivate it, or remove the link.",
                )
        flush()
        if profile_changed:
            # Advocacy's profile checks (issue 19) look again at changed profiles.
            from chorus.advocacy.services.profile_checks import profile_checks_changed

            profile_checks_changed(network=Network.BLUESKY, external_ids=profile_changed)
        self.stats.posts_created += result.created
        self.stats.posts_updated += result.updated
        self.stats.alerts += len(result.alerts)
        if touched:
            LinkedAccount.objects.filter(pk__in=touched).update(last_read_at=timezone.now())

    # ------------------------------------------------------------ the socket

    def run(
        self, *, stop: Callable[[], bool] = lambda: False, max_events: int | None = None,
        idle_exit: float | None = None, sleep: Callable[[float], None] = time.sleep,
    ) -> StreamStats:
        """Consume until `stop()` is true, `max_events` were handled, or (tests) nothing
        arrived for `idle_exit` seconds. Reconnects with backoff and jitter on failures."""
        failures = 0
        while not stop():
            dids = stream_dids()
            if not dids:
                if idle_exit is not None:
                    return self.stats
                sleep(self.refresh_seconds)
                continue
            url = BlueskyConnector.subscribe_url(self.base_url, dids=dids,
                                                 cursor=self.saved_position() or None)
            try:
                with connect(url, max_size=2**21, open_timeout=10) as socket:
                    failures = 0
                    finished = self._pump(socket, dids=dids, stop=stop, max_events=max_events,
                                          idle_exit=idle_exit)
                    if finished:
                        return self.stats
            except (OSError, ConnectionClosed, InvalidHandshake, InvalidURI, TimeoutError) as exc:
                failures += 1
                self.stats.reconnects += 1
                delay = min(60.0, 0.5 * 2 ** min(failures, 7)) * random.uniform(0.5, 1.0)
                logger.warning("jetstream: connection lost (%s); reconnecting in %.1fs",
                               exc, delay)
                if idle_exit is not None and failures > 3:
                    return self.stats
                sleep(delay)
        return self.stats

    def _pump(self, socket: Any, *, dids: set[str], stop: Callable[[], bool],
              max_events: int | None, idle_exit: float | None) -> bool:
        """Read batches until the filter must change (False) or we are done (True)."""
        refreshed = time.monotonic()
        while not stop():
            wait = idle_exit if idle_exit is not None else 1.0
            try:
                batch: list[str | bytes] = [socket.recv(timeout=wait)]
            except TimeoutError:
                if idle_exit is not None:
                    return True
                batch = []
            while batch and len(batch) < self.batch_size:
                try:
                    batch.append(socket.recv(timeout=0))
                except TimeoutError:
                    break
            if batch:
                self.handle_batch(batch)
            if max_events is not None and self.stats.events >= max_events:
                return True
            if time.monotonic() - refreshed > self.refresh_seconds:
                refreshed = time.monotonic()
                if stream_dids() != dids:
                    return False  # reconnect with the new filter, from the saved cursor
        return True
