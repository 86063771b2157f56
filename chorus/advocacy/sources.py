"""Content supply: reading RSS and Atom feeds into candidate items, and the canonical form of a
link that deduplicates them.

Downloads go through the guarded client `chorus.common.http` (public addresses only, a byte
cap, an overall deadline, checked redirects) and are parsed from bytes, so feedparser never
opens a URL itself. `download` raises `FeedError` with words for the communications team and a
`kind` that says how the source should be marked (see `services.sources.source_poll`).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
from django.utils.translation import gettext

from chorus.common import http
from chorus.connectors.text import html_to_text

MAX_BYTES = 5 * 1024 * 1024
DEADLINE = 30.0
TIMEOUT = 10.0
MAX_REDIRECTS = 5
USER_AGENT = "Chorus content sources (+https://github.com/chorus)"
TRACKING_PARAMS = {"fbclid", "gclid", "mc_cid", "mc_eid", "igshid", "ref_src", "_hsenc",
                   "_hsmi", "mkt_tok"}


class FeedError(Exception):
    """Why a feed could not be read. `kind`: `rate_limited` (try after `retry_after`
    seconds), `temporary` (retry with backoff) or `permanent` (comms must fix the source)."""

    def __init__(self, message: str, *, kind: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.retry_after = retry_after


@dataclass(frozen=True)
class FeedEntry:
    guid: str
    link: str
    canonical_url: str
    title: str
    summary: str
    image_url: str
    published_at: datetime | None


@dataclass(frozen=True)
class Downloaded:
    body: bytes | None  # None: not modified since the last poll
    etag: str
    last_modified: str


def canonical_url(url: str) -> str:
    """The form of a link used to recognise the same page: scheme and host in lower case,
    default port, fragment and tracking parameters (utm_*, fbclid, ...) removed, the remaining
    query sorted, a trailing slash dropped. `https://News.example/a/?utm_source=x#top` and
    `https://news.example/a` are the same page."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "https" and port == 443) or (scheme == "http" and port == 80)):
        host = f"{host}:{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS)
    path = parts.path.rstrip("/") or ""
    # http and https of the same page are the same page.
    return urlunsplit(("https" if scheme in ("http", "https") else scheme, host, path,
                       urlencode(query), ""))[:1000]


def download(url: str, *, etag: str = "", last_modified: str = "") -> Downloaded:
    """GET the feed (conditionally, with the validators of the last poll)."""
    headers = {"User-Agent": USER_AGENT,
               "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
                         "*/*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        response = http.fetch(url, headers=headers, max_bytes=MAX_BYTES, deadline=DEADLINE,
                              timeout=TIMEOUT, max_redirects=MAX_REDIRECTS)
    except ValueError:
        raise FeedError(gettext("Enter the feed's full address, starting with https://."),
                        kind="permanent") from None
    except http.OutboundError as exc:
        if exc.kind == "too_large":
            raise FeedError(
                gettext(
                    "The feed is larger than 5 MB. Use a feed of recent entries only "
                    "(most sites offer one)."
                ),
                kind="permanent",
            ) from None
        if exc.kind == "redirects":
            raise FeedError(
                gettext(
                    "The feed redirects more than %(MAX_REDIRECTS)s times (probably in a loop). "
                    "Open it in a browser and copy the final address."
                )
                % {"MAX_REDIRECTS": MAX_REDIRECTS},
                kind="permanent",
            ) from None
        if exc.kind == "invalid_url":
            raise FeedError(gettext("Enter the feed's full address, starting with https://."),
                            kind="permanent") from None
        if exc.kind == "timeout":
            raise FeedError(gettext("The feed's server did not answer in time; we will try again."),
                            kind="temporary") from None
        # refused and unreachable: one answer, so internal hosts cannot be mapped.
        raise FeedError(gettext("We could not reach this feed; only public web addresses can be "
                        "read. We will try again."), kind="temporary") from None
    if response.status_code == 304:
        return Downloaded(body=None, etag=etag, last_modified=last_modified)
    if response.status_code == 429 or response.status_code == 503:
        retry = response.headers.get("Retry-After", "")
        raise FeedError(
            gettext(
                "The feed's server asked us to slow down (HTTP %(status_code)s); we will try "
                "again later."
            )
            % {"status_code": response.status_code},
            kind="rate_limited",
            retry_after=float(retry) if retry.strip().isdigit() else None,
        )
    if response.status_code >= 500:
        raise FeedError(
            gettext("The feed's server had an error (HTTP %(status_code)s); we will try again.")
            % {"status_code": response.status_code},
            kind="temporary",
        )
    if response.status_code in (404, 410):
        raise FeedError(
            gettext("The feed is not there any more (HTTP %(status_code)s). Check the address.")
            % {"status_code": response.status_code},
            kind="permanent",
        )
    if response.status_code >= 400:
        raise FeedError(
            gettext("The feed refused access (HTTP %(status_code)s).")
            % {"status_code": response.status_code},
            kind="permanent",
        )
    return Downloaded(body=bytes(response.content), etag=response.headers.get("ETag", "")[:300],
                      last_modified=response.headers.get("Last-Modified", "")[:100])


def _image_of(entry: Any, base: str) -> str:
    for media in entry.get("media_thumbnail", []) or []:
        if media.get("url"):
            return str(urljoin(base, media["url"]))
    for media in entry.get("media_content", []) or []:
        if media.get("url") and (media.get("medium") == "image"
                                 or str(media.get("type", "")).startswith("image/")):
            return str(urljoin(base, media["url"]))
    for link in entry.get("links", []) or []:
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
            return str(urljoin(base, link.get("href", "")))
    return ""


def _canonical_of(entry: Any, link: str) -> str:
    for candidate in entry.get("links", []) or []:
        if candidate.get("rel") == "canonical" and candidate.get("href"):
            return canonical_url(urljoin(link, candidate["href"]))
    return canonical_url(link)


def parse(data: bytes, *, base_url: str) -> list[FeedEntry]:
    """The feed's entries, newest first. Entries without a web link are skipped (there is
    nothing to share). Raises FeedError if the bytes are not a feed."""
    parsed = feedparser.parse(data)
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        raise FeedError(
            gettext(
                "This address does not return an RSS or Atom feed (the content is not "
                "valid feed XML). Copy the feed link from the site."
            ),
            kind="permanent",
        )
    entries = []
    for entry in parsed.entries:
        link = str(entry.get("link", "")).strip()
        if not link:
            continue
        link = urljoin(base_url, link)
        if urlsplit(link).scheme not in ("http", "https"):
            continue
        parsed_time = entry.get("published_parsed") or entry.get("updated_parsed")
        published = (datetime.fromtimestamp(calendar.timegm(parsed_time), tz=UTC)
                     if parsed_time else None)
        summary = html_to_text(entry.get("summary", "")
                               or (entry.content[0].get("value", "") if entry.get("content")
                                   else ""))
        title = " ".join(html_to_text(entry.get("title", "")).split())
        entries.append(FeedEntry(
            guid=str(entry.get("id") or link)[:1000], link=link[:1000],
            canonical_url=_canonical_of(entry, link), title=title[:300],
            summary=summary.strip()[:4000], image_url=_image_of(entry, link)[:1000],
            published_at=published,
        ))
    entries.sort(key=lambda e: e.published_at or datetime.min.replace(tzinfo=UTC), reverse=True)
    return entries
