"""RSS and Atom feeds through feedparser: the zero-auth way to read many networks and blogs
(Mastodon ``/@user.rss``, Bluesky ``/profile/<handle>/rss``, any blog).

The feed is downloaded through ``chorus.common.http`` (public addresses only, a byte cap and an
overall deadline) and parsed from bytes, so feedparser never opens URLs itself. The cursor is
the newest entry time stored. A poll downloads the feed once (``fetch_new_and_recent``).

The address is typed by an employee, so every failure to reach it (refused internal address,
DNS failure, closed port, timeout) gives the same message: the answer must not tell internal
hosts and ports apart.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any

import feedparser

from chorus.common.http import OutboundError, fetch
from chorus.connectors.base import AccountRef, ConnectorError, FeedPage, RemotePost, RemoteProfile
from chorus.connectors.text import html_to_text

MAX_BYTES = 5 * 1024 * 1024
DEADLINE = 30.0  # seconds for one download, redirects included
UNREACHABLE = (
    "We could not read a feed at this address. Check that it is the public address of an "
    "RSS or Atom feed (for Mastodon: https://server/@name.rss)."
)


def _entry_time(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)


def parse_feed(data: bytes) -> tuple[Any, list[RemotePost]]:
    """Parse feed bytes into (feed metadata, posts oldest first). Entries without a date are
    skipped: we cannot tell whether they were published after consent."""
    parsed = feedparser.parse(data)
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        raise ConnectorError(
            "This address does not return an RSS or Atom feed. Copy the feed link "
            "(for Mastodon: https://server/@name.rss).", permanent=True,
        )
    posts = []
    for entry in parsed.entries:
        when = _entry_time(entry)
        external_id = entry.get("id") or entry.get("link")
        if when is None or not external_id:
            continue
        body = ""
        if entry.get("content"):
            body = entry.content[0].get("value", "")
        body = body or entry.get("summary", "")
        text = html_to_text(body)
        title = entry.get("title", "")
        if title and not text.startswith(title):
            text = f"{title}\n\n{text}".strip()
        alts = [m.get("content", "") for m in entry.get("media_content", []) if m.get("content")]
        alts += [d.get("content", "") for d in [entry.get("media_description")] if d]
        posts.append(RemotePost(
            external_id=external_id, text="\n\n".join([text, *alts]).strip(), published_at=when,
            url=entry.get("link", ""),
        ))
    posts.sort(key=lambda p: (p.published_at, p.external_id))
    return parsed.feed, posts


class RssConnector:
    kind = "rss"

    def __init__(self, *, timeout: float = 15.0) -> None:
        self.timeout = timeout

    def _download(self, url: str) -> bytes:
        if not url.startswith(("https://", "http://")):
            raise ConnectorError("Enter the feed's full address, starting with https://.",
                                 permanent=True)
        try:
            response = fetch(url, max_bytes=MAX_BYTES, deadline=DEADLINE, timeout=self.timeout)
        except OutboundError as exc:
            if exc.kind == "too_large":
                raise ConnectorError("The feed is larger than 5 MB; link a profile feed instead.",
                                     permanent=True) from None
            # refused, unreachable, timeout, redirects, invalid_url: one neutral answer.
            raise ConnectorError(
                UNREACHABLE, permanent=exc.kind in ("refused", "invalid_url")
            ) from None
        if response.status_code == 429 or response.status_code >= 500:
            retry = response.headers.get("Retry-After")
            raise ConnectorError(
                f"The feed's server is busy (HTTP {response.status_code}). Try again in a few "
                "minutes.",
                permanent=False, status=response.status_code,
                retry_after=float(retry) if retry and retry.isdigit() else None,
            )
        if response.status_code in (404, 410):
            raise ConnectorError(f"The feed no longer exists (HTTP {response.status_code}). "
                                 "Check the address or remove the account.",
                                 permanent=True, status=response.status_code)
        if response.status_code >= 400:
            raise ConnectorError(f"The feed refused access (HTTP {response.status_code}).",
                                 permanent=True, status=response.status_code)
        return bytes(response.content)

    def resolve(self, account: AccountRef) -> RemoteProfile:
        return self.resolve_and_recent(account)[0]

    def resolve_and_recent(self, account: AccountRef) -> tuple[RemoteProfile, list[RemotePost]]:
        """``resolve`` and ``fetch_recent`` from one download (the ownership check needs
        both: the feed's title and description, and its latest entries)."""
        url = account.handle.strip()
        feed, posts = parse_feed(self._download(url))
        about = [feed.get("title", ""), html_to_text(feed.get("subtitle", "")
                                                     or feed.get("description", ""))]
        profile = RemoteProfile(external_id=url, handle=url, display_name=feed.get("title", ""),
                                url=feed.get("link", url), bio="\n".join(a for a in about if a))
        return profile, posts

    def fetch_new(self, account: AccountRef, *, cursor: str | None, since: datetime) -> FeedPage:
        _, posts = parse_feed(self._download(account.external_id or account.handle))
        return self._page(posts, cursor=cursor, since=since)

    def fetch_recent(self, account: AccountRef) -> list[RemotePost]:
        return parse_feed(self._download(account.external_id or account.handle))[1]

    def fetch_new_and_recent(
        self, account: AccountRef, *, cursor: str | None, since: datetime
    ) -> tuple[FeedPage, list[RemotePost]]:
        """``fetch_new`` and ``fetch_recent`` from one download: a feed is one document."""
        _, posts = parse_feed(self._download(account.external_id or account.handle))
        return self._page(posts, cursor=cursor, since=since), posts

    @staticmethod
    def _page(posts: list[RemotePost], *, cursor: str | None, since: datetime) -> FeedPage:
        floor = max(datetime.fromisoformat(cursor), since) if cursor else since
        fresh = [p for p in posts if p.published_at >= floor]
        return FeedPage(posts=fresh, cursor=fresh[-1].published_at.isoformat() if fresh else None)
