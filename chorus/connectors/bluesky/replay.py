"""A local Jetstream v1 replay server for tests and the benchmark (loopback only).

Serves recorded events over WebSocket the way Jetstream does: ``wantedCollections`` (exact
or ``prefix.*``), ``wantedDids`` (identity and account events bypass the collection filter),
``cursor`` (events with ``time_us`` at or after it), one JSON text frame per event. Knobs:
``disconnect_after`` drops the connection after N events (reconnect tests); for the benchmark,
``rate`` paces sending (events/s; None = as fast as the client takes them) and ``stamp_now``
rewrites ``time_us`` to the sending time so the client can measure its lag.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs, urlparse

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve


def _wanted(event: dict[str, Any], collections: list[str], dids: set[str]) -> bool:
    if dids and event.get("did") not in dids:
        return False
    if event.get("kind") != "commit" or not collections:
        return True
    collection = event.get("commit", {}).get("collection", "")
    return any(collection == c or (c.endswith(".*") and collection.startswith(c[:-1]))
               for c in collections)


class JetstreamReplayServer:
    def __init__(self, events: Iterable[dict[str, Any] | str], *,
                 disconnect_after: int | None = None, rate: float | None = None,
                 stamp_now: bool = False) -> None:
        self.events = [json.loads(e) if isinstance(e, str) else e for e in events]
        self.frames = [json.dumps(e, separators=(",", ":")) for e in self.events]
        self.disconnect_after = disconnect_after
        self.rate = rate
        self.stamp_now = stamp_now
        self.connections: list[str] = []  # request paths, for assertions
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def _handler(self, connection: ServerConnection) -> None:
        path = connection.request.path if connection.request else "/"
        self.connections.append(path)
        query = parse_qs(urlparse(path).query)
        collections = query.get("wantedCollections", [])
        dids = set(query.get("wantedDids", []))
        cursor = int(query.get("cursor", ["0"])[0] or 0)
        sent = 0
        started = time.perf_counter()
        try:
            for event, frame in zip(self.events, self.frames, strict=True):
                if event.get("time_us", 0) < cursor or not _wanted(event, collections, dids):
                    continue
                if self.disconnect_after is not None and sent >= self.disconnect_after:
                    self.disconnect_after = None  # only the first connection is cut
                    connection.close(code=1011, reason="replay: simulated drop")
                    return
                if self.rate:
                    delay = started + sent / self.rate - time.perf_counter()
                    if delay > 0:
                        time.sleep(delay)
                if self.stamp_now:
                    frame = json.dumps({**event, "time_us": int(time.time() * 1_000_000)},
                                       separators=(",", ":"))
                connection.send(frame)
                sent += 1
            # Like the real service: stay open and idle until the client leaves.
            for _ in connection:
                pass
        except ConnectionClosed:
            return

    def __enter__(self) -> JetstreamReplayServer:
        self._server = serve(self._handler, "127.0.0.1", 0, compression=None, max_size=2**21)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/subscribe"

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
