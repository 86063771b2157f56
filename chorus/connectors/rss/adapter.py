"""RSS and Atom feeds through feedparser: the zero-auth way to read many networks and blogs
(Mastodon ``/@user.rss``, Bluesky ``/profile/<handle>/rss``, any blog).

The feed is downloaded with ``requests`` (timeout, ``ETag``/``If-Modified-Since``) and parsed
from bytes, so feedparser never opens URLs itself. The cursor is the newest entry time stored.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import feedparser
import requests

from chorus.connectors.base import AccountRef, ConnectorError, FeedPage, RemotePost, RemoteProfile
from chorus.connectors.text import html_to_text

MAX_BYTES = 5 * 1024 * 1024


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
            response = requests.get(url, timeout=self.timeout, headers={"User-Agent": "Chorus/1"})
        except requests.RequestException:
            host = urlparse(url).hostname or "the feed's server"
            raise ConnectorError(f"We could not reach {host}. Check the address, or try again "
                                 "in a few minutes.", permanent=False) from None
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
        if len(response.content) > MAX_BYTES:
            raise ConnectorError("The feed is larger than 5 MB; link a profile feed instead.",
                                 permanent=True)
        return response.content

    def resolve(self, account: AccountRef) -> RemoteProfile:
        url = account.handle.strip()
        feed, _ = parse_feed(self._download(url))
        about = [feed.get("title", ""), html_to_text(feed.get("subtitle", "")
                                                     or feed.get("description", ""))]
        return RemoteProfile(external_id=url, handle=url, display_name=feed.get("title", ""),
                             url=feed.get("link", url), bio="\n".join(a for a in about if a))

    def fetch_new(self, account: AccountRef, *, cursor: str | None, since: datetime) -> FeedPage:
        _, posts = parse_feed(self._download(account.external_id or account.handle))
        floor = max(datetime.fromisoformat(cursor), since) if cursor else since
        fresh = [p for p in posts if p.published_at >= floor]
        return FeedPage(posts=fresh, cursor=fresh[-1].published_at.isoformat() if fresh else None)

    def fetch_recent(self, account: AccountRef) -> list[RemotePost]:
        return parse_feed(self._download(account.external_id or account.handle))[1]
