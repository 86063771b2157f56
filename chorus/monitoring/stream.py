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

Several `chorus stream` processes may run (two machines, a rolling restart): one leads and
consumes, the others wait (`StreamLeadership`: a PostgreSQL advisory lock held on its own
connection, or a lock file on SQLite; the lock goes with the process, so a killed leader's
follower takes over within `--leader-poll` seconds). The cursor row is the fence: each batch
locks it (`SELECT ... FOR UPDATE`) and commits only if the cursor is still where this
process last left it, so a leader that lost its lock without noticing (a network partition, a
paused VM) cannot store a batch the new leader already stored. A new leader resumes from the
saved cursor and skips the one event at it (Jetstream's cursor is inclusive): every event is
ingested exactly once.
"""

from __future__ import annotations

import fcntl
import logging
import random
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
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


class StreamFenced(Exception):
    """Another process moved the stream cursor: this one is no longer the leader."""


class StreamLeadership:
    """Who may consume one stream: at most one process at a time.

    PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) on a connection of its own,
    so the lock lives exactly as long as the process (and that connection); Django's own
    connection may be closed and reopened without losing it. SQLite (one machine): an
    exclusive `flock` on a file next to the database. `held()` re-checks at most every
    `check_seconds` that the lock is still ours (a dropped connection loses it)."""

    def __init__(self, name: str, *, check_seconds: float = 5.0) -> None:
        self.name = name
        # A stable 31-bit key per stream name (advisory locks take a bigint).
        self.key = zlib.crc32(f"chorus-stream:{name}".encode()) & 0x7FFFFFFF
        self.check_seconds = check_seconds
        self._db: Any = None
        self._file: Any = None
        self._checked = 0.0

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; True when this process now leads."""
        if connection.vendor == "postgresql":
            try:
                if self._db is None:
                    self._db = connections.create_connection(DEFAULT_DB_ALIAS)
                with self._db.cursor() as cursor:
                    cursor.execute("SELECT pg_try_advisory_lock(%s)", [self.key])
                    won = bool(cursor.fetchone()[0])
            except Exception:  # the database is unreachable: not the leader, retry later
                logger.warning("jetstream: could not reach the database for the leader lock")
                self._drop_db()
                return False
        else:
            handle = open(self._lock_path(), "a+")  # noqa: SIM115 (held open while leading)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                return False
            self._file, won = handle, True
        self._checked = time.monotonic()
        return won

    def _lock_path(self) -> Path:
        database = str(connection.settings_dict["NAME"])
        if database.startswith("file:") or ":memory:" in database or "/" not in database:
            return Path(tempfile.gettempdir()) / f"chorus-{self.name}.lock"
        return Path(f"{database}.{self.name}.lock")

    def held(self) -> bool:
        """Whether this process still leads (re-checked against the database now and then)."""
        if self._file is not None:
            return True
        if self._db is None:
            return False
        if time.monotonic() - self._checked < self.check_seconds:
            return True
        try:
            with self._db.cursor() as cursor:
                cursor.execute(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
                    "AND pid = pg_backend_pid() AND granted AND classid = 0 AND objid = %s)",
                    [self.key])
                still = bool(cursor.fetchone()[0])
        except Exception:
            still = False
        self._checked = time.monotonic()
        if not still:
            logger.warning("jetstream: the leader lock was lost")
            self._drop_db()
        return still

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._db is not None:
            try:
                with self._db.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [self.key])
            except Exception:
                logger.warning("jetstream: could not release the leader lock (it ends with "
                               "the connection)")
            self._drop_db()

    def _drop_db(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except Exception:
                logger.warning("jetstream: closing the leader lock connection failed")
            self._db = None


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
        # The cursor as this process last saw it (None: adopt what is stored on the first
        # batch); the fence compares the stored cursor with it before every commit.
        self.committed: int | None = None
        # The cursor we connected with: Jetstream resends the event at it (inclusive).
        self.resumed_from: int | None = None
        # Called with (events, first position, last position) after each commit.
        self.on_commit: Callable[[int, int, int], None] | None = None

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
        if self.resumed_from:
            # Already ingested by whoever saved the cursor.
            events = [e for e in events if e.position != self.resumed_from]
        if not events:
            return
        with transaction.atomic():
            row = StreamCursor.objects.select_for_update().filter(name=self.cursor_name).first()
            stored = row.position if row else 0
            if self.committed is None:
                self.committed = stored
            elif stored != self.committed:
                raise StreamFenced(f"the cursor moved to {stored} (this process left it at "
                                   f"{self.committed}): another process leads")
            self._apply(events)
            position = max(e.position for e in events)
            if row is None:
                StreamCursor.objects.create(name=self.cursor_name, position=position)
            else:
                StreamCursor.objects.filter(pk=row.pk).update(position=position,
                                                              updated_at=timezone.now())
        self.committed = position
        self.stats.events += len(events)
        self.stats.batches += 1
        if self.on_commit is not None:
            self.on_commit(len(events), events[0].position, events[-1].position)
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
            self.committed = self.saved_position()
            self.resumed_from = self.committed or None
            url = BlueskyConnector.subscribe_url(self.base_url, dids=dids,
                                                 cursor=self.resumed_from)
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
