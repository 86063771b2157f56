"""Link previews for hub cards: the page's Open Graph title and image, fetched in the
background (never while a page renders) and cached on the item.

All outbound HTTP here goes through `fetch`, a thin wrapper over the shared guarded client
`chorus.common.http.fetch` (public addresses only, checked on every redirect hop; a byte cap;
an overall deadline; no ambient proxies). Its `OutboundError` becomes a `PreviewError` in
words for the communications team; refused and unreachable addresses get one message, so a
typed link cannot be used to tell internal hosts apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.utils.translation import gettext

from chorus.common import http

PAGE_MAX_BYTES = 1_000_000
IMAGE_MAX_BYTES = 3_000_000
TIMEOUT = 10.0  # seconds per connect or read
DEADLINE = 20.0  # seconds for the whole download, redirects included
MAX_REDIRECTS = 3
USER_AGENT = "Chorus link preview (+https://github.com/chorus)"


class PreviewError(Exception):
    """Why a preview could not be fetched, in words for the communications team."""


@dataclass(frozen=True)
class Fetched:
    url: str
    content_type: str
    body: bytes


def _reason(error: http.OutboundError, host: str) -> str:
    if error.kind == "invalid_url":
        return "Only http and https links get a preview."
    if error.kind == "too_large":
        return "The page or image is too large for a preview."
    if error.kind == "redirects":
        return "The link redirects too many times."
    if error.kind == "timeout":
        return f"{host} did not answer in time."
    # refused and unreachable: one answer, so internal hosts and ports cannot be mapped.
    return (f"{host} could not be reached; previews are fetched only from public web "
            "addresses.")


def fetch(url: str, *, max_bytes: int) -> Fetched:
    """GET `url` through the guarded outbound client: public addresses only, at most
    `max_bytes`, within `DEADLINE` seconds, `MAX_REDIRECTS` checked redirects. Raises
    PreviewError with a plain reason (also for an HTTP error status)."""
    try:
        host = urlsplit(url).hostname or "The link"
        response = http.fetch(url, headers={"User-Agent": USER_AGENT}, max_bytes=max_bytes,
                              deadline=DEADLINE, timeout=TIMEOUT, max_redirects=MAX_REDIRECTS)
    except ValueError:  # a malformed address (urlsplit refuses it)
        raise PreviewError(gettext("Only http and https links get a preview.")) from None
    except http.OutboundError as exc:
        raise PreviewError(_reason(exc, host)) from None
    if response.status_code >= 400:
        final_host = urlsplit(response.url).hostname if response.url else host
        raise PreviewError(
            gettext("%(final_host)s answered HTTP %(status_code)s.")
            % {"final_host": final_host, "status_code": response.status_code}
        )
    return Fetched(url=response.url or url,
                   content_type=response.headers.get("Content-Type", ""),
                   body=response.content)


class _MetaParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or "").lower()
            if key and key not in self.meta and values.get("content"):
                self.meta[key] = values["content"].strip()
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title and len(self.title) < 300:
            self.title += data


def parse_preview(html: str, *, base_url: str) -> tuple[str, str]:
    """(title, absolute image URL) from a page's Open Graph / Twitter card tags, falling back
    to <title>. Either may be empty."""
    parser = _MetaParser()
    parser.feed(html)
    title = (parser.meta.get("og:title") or parser.meta.get("twitter:title")
             or " ".join(parser.title.split()))
    image = parser.meta.get("og:image") or parser.meta.get("twitter:image") or ""
    return " ".join(title.split())[:300], urljoin(base_url, image)[:1000] if image else ""
