"""What every network adapter offers, behind one set of protocols.

Domain code (``chorus.monitoring``) calls ``get_connector(kind)`` and talks to the result through
the protocols below; it never imports a network package. Adapters turn each network's payloads
into the plain dataclasses here, and each network's failures into ``ConnectorError``:

- ``permanent=False``: a transient failure (timeout, 5xx, 429). Callers retry with backoff and
  jitter (``call_with_retries``), honouring ``retry_after`` when the network sent one.
- ``permanent=True``: retrying cannot help (token revoked, account deleted or suspended, 404/410).
  The caller marks the account as needing attention and shows ``message`` to its owner.

This package never imports domain apps (an import-linter contract enforces it) and holds no
models: it is plain Python plus the network SDKs.
"""

from __future__ import annotations

import importlib
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar, runtime_checkable

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

__all__ = [
    "AccountRef",
    "ArchiveImporter",
    "CombinedPostReader",
    "ConnectorError",
    "FeedPage",
    "PostReader",
    "ProfileResolver",
    "RemotePost",
    "RemoteProfile",
    "StreamEvent",
    "StreamParser",
    "call_with_retries",
    "get_connector",
    "override_connector",
    "sort_key_for_id",
]


class ConnectorError(Exception):
    """A network refused or failed a request. ``message`` is shown to people as is, so it says
    what happened and what to do; ``permanent`` says whether retrying can help."""

    def __init__(
        self, message: str, *, permanent: bool, retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after
        self.status = status


@dataclass(frozen=True)
class AccountRef:
    """The account to read, as stored by the caller: ``handle`` as the person typed it,
    ``external_id`` once resolved (Mastodon account id, Bluesky DID, feed URL), ``instance``
    the server for federated networks (Mastodon base URL)."""

    handle: str
    external_id: str = ""
    instance: str = ""


@dataclass(frozen=True)
class RemoteProfile:
    """An account as the network shows it publicly. ``bio`` is the plain text the owner wrote
    about themselves (Mastodon note and profile fields with their link targets, Bluesky
    description, a feed's title and description): where an ownership code can be placed."""

    external_id: str
    handle: str
    display_name: str = ""
    url: str = ""
    bio: str = ""
    # The profile's name/value fields as plain text (Mastodon; Bluesky has none).
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RemoteMedia:
    """An image attached to a post: where to download it (the worker reads it through
    ``chorus.common.http``) and the author's description (alt text)."""

    url: str
    description: str = ""


@dataclass(frozen=True)
class RemotePost:
    """One post, normalised. ``external_id`` is opaque and unique per network (never cast it
    to a number); ``text`` is plain text, already stripped of markup."""

    external_id: str
    text: str
    published_at: datetime
    url: str = ""
    edited_at: datetime | None = None
    language: str = ""
    is_repost: bool = False
    is_reply: bool = False
    media: tuple[RemoteMedia, ...] = ()  # images whose text is read by OCR (issue 18)


@dataclass(frozen=True)
class FeedPage:
    """Posts newer than the caller's cursor, oldest first, and the cursor to store once they
    are saved. ``cursor`` is None when nothing new was seen (keep the old one)."""

    posts: list[RemotePost]
    cursor: str | None


@dataclass(frozen=True)
class StreamEvent:
    """One real-time event: ``operation`` is ``create``, ``update`` or ``delete`` for posts,
    ``account`` for account status changes (``active`` False: deactivated or deleted).
    ``position`` is the stream cursor to store once the event is handled."""

    operation: str
    author_id: str
    position: int
    external_id: str = ""
    post: RemotePost | None = None
    active: bool = True
    status: str = ""
    event_time: datetime | None = field(default=None, compare=False)


@runtime_checkable
class ProfileResolver(Protocol):
    """Turn what a person typed (``@jdoe@social.example``, ``jdoe.bsky.social``, a feed URL)
    into the network's stable id. Raises ``ConnectorError`` (permanent when it does not exist)."""

    def resolve(self, account: AccountRef) -> RemoteProfile: ...


@runtime_checkable
class PostReader(Protocol):
    """Poll an account's public posts.

    ``fetch_new`` returns posts newer than ``cursor`` (opaque, from a previous page); with no
    cursor, the posts published at or after ``since``. ``fetch_recent`` returns the newest page
    as the network shows it now, so callers can notice edits and deletions of recent posts.
    """

    def fetch_new(
        self, account: AccountRef, *, cursor: str | None, since: datetime
    ) -> FeedPage: ...

    def fetch_recent(self, account: AccountRef) -> list[RemotePost]: ...


@runtime_checkable
class CombinedPostReader(Protocol):
    """Optional, for networks where new and recent posts come from one download (a feed):
    both answers of a poll from a single request, so a poll fetches the source once."""

    def fetch_new_and_recent(
        self, account: AccountRef, *, cursor: str | None, since: datetime
    ) -> tuple[FeedPage, list[RemotePost]]: ...


@runtime_checkable
class ArchiveImporter(Protocol):
    """Parse an export the person downloaded from the network and uploaded themselves.
    Raises ``ConnectorError(permanent=True)`` naming what is wrong with the file, for any input
    (never another exception); a ``.zip`` is read within ``chorus.connectors.archives``' limits.
    ``progress(done, total)`` is called while a large archive is unpacked."""

    def parse_archive(
        self, data: bytes, *, filename: str = "", progress: Callable[[int, int], None] | None = None
    ) -> list[RemotePost]: ...


@runtime_checkable
class StreamParser(Protocol):
    """Decode one real-time message; None for messages that are not about posts or accounts."""

    def parse_event(self, raw: str | bytes) -> StreamEvent | None: ...


def sort_key_for_id(external_id: str) -> tuple[int, str]:
    """Order opaque ids the way Mastodon and snowflake-style networks do: by length, then
    lexically. Never casts to int, because some servers use non-numeric ids."""
    return (len(external_id), external_id)


# ---------------------------------------------------------------- retries

T = TypeVar("T")
MAX_RETRY_AFTER = 300.0  # never sleep longer than five minutes on a server's say-so


def _is_transient(exc: BaseException) -> bool:
    return isinstance(exc, ConnectorError) and not exc.permanent


def _wait(base: float, cap: float) -> Callable[[RetryCallState], float]:
    jittered = wait_random_exponential(multiplier=base, max=cap)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, ConnectorError) and exc.retry_after is not None:
            # Honour Retry-After, plus a little jitter so many workers do not return together.
            return min(exc.retry_after, MAX_RETRY_AFTER) + random.uniform(0, base)
        return jittered(state)

    return wait


def call_with_retries(
    fn: Callable[[], T], *, attempts: int = 4, base: float = 0.5, cap: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``fn``, retrying transient ``ConnectorError`` with exponential backoff and full
    jitter (or the server's ``Retry-After``). Permanent errors, and the last transient one,
    are raised unchanged."""
    retrying = Retrying(
        retry=retry_if_exception(_is_transient),
        stop=stop_after_attempt(attempts),
        wait=_wait(base, cap),
        sleep=sleep,
        reraise=True,
    )
    return retrying(fn)


# ---------------------------------------------------------------- registry

#: kind -> dotted path of the adapter class; imported only when first used, so a deployment
#: that never reads Bluesky never imports the atproto SDK.
CONNECTORS: dict[str, str] = {
    "mastodon": "chorus.connectors.mastodon.adapter.MastodonConnector",
    "bluesky": "chorus.connectors.bluesky.adapter.BlueskyConnector",
    "rss": "chorus.connectors.rss.adapter.RssConnector",
    "x_archive": "chorus.connectors.x_archive.adapter.XArchiveConnector",
    "linkedin_export": "chorus.connectors.linkedin_export.adapter.LinkedInExportConnector",
    "fake": "chorus.connectors.fake.adapter.FakeConnector",
}
_OVERRIDES: dict[str, Any] = {}


def get_connector(kind: str, **options: Any) -> Any:
    """The adapter for ``kind``, built with ``options`` (base URLs, timeouts)."""
    if kind in _OVERRIDES:
        return _OVERRIDES[kind]
    try:
        dotted = CONNECTORS[kind]
    except KeyError:
        raise ConnectorError(
            f"No connector for {kind!r}; known: {', '.join(sorted(CONNECTORS))}.", permanent=True
        ) from None
    module_name, class_name = dotted.rsplit(".", 1)
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls(**options)


@contextmanager
def override_connector(kind: str, connector: Any) -> Iterator[Any]:
    """Make ``get_connector(kind)`` return ``connector`` (tests, demos)."""
    previous = _OVERRIDES.get(kind)
    _OVERRIDES[kind] = connector
    try:
        yield connector
    finally:
        if previous is None:
            _OVERRIDES.pop(kind, None)
        else:
            _OVERRIDES[kind] = previous
