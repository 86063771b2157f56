"""Link previews for hub cards: the page's Open Graph title and image, fetched in the
background (never while a page renders) and cached on the item.

All outbound HTTP here goes through `fetch`, the one function to switch to the shared
outbound client (SSRF guard, timeouts, byte cap) once it exists. Until then `fetch` uses
`requests` with a connect/read timeout, a byte cap, no automatic redirects (each hop is
checked) and refuses any host that resolves to a private, loopback, link-local or otherwise
non-public address.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import requests

PAGE_MAX_BYTES = 1_000_000
IMAGE_MAX_BYTES = 3_000_000
TIMEOUT = (3.05, 10)
MAX_REDIRECTS = 3
USER_AGENT = "Chorus link preview (+https://github.com/chorus)"


class PreviewError(Exception):
    """Why a preview could not be fetched, in words for the communications team."""


@dataclass(frozen=True)
class Fetched:
    url: str
    content_type: str
    body: bytes


def _public_host(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise PreviewError(f"{host} could not be found.") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise PreviewError(f"{host} is not a public address; previews are fetched only "
                               "from the public internet.")


def fetch(url: str, *, max_bytes: int) -> Fetched:
    """GET `url` from the public internet: at most `max_bytes`, a few seconds, three checked
    redirects. Raises PreviewError with a plain reason."""
    for _ in range(MAX_REDIRECTS + 1):
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise PreviewError("Only http and https links get a preview.")
        _public_host(parsed.hostname, parsed.port or (443 if parsed.scheme == "https" else 80))
        try:
            response = requests.get(url, timeout=TIMEOUT, stream=True, allow_redirects=False,
                                    headers={"User-Agent": USER_AGENT})
        except requests.RequestException:
            raise PreviewError(f"{parsed.hostname} did not answer.") from None
        with response:
            if response.is_redirect and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                continue
            if response.status_code >= 400:
                raise PreviewError(f"{parsed.hostname} answered HTTP {response.status_code}.")
            body = b""
            for chunk in response.iter_content(chunk_size=65536):
                body += chunk
                if len(body) > max_bytes:
                    raise PreviewError("The page or image is too large for a preview.")
            return Fetched(url=url, content_type=response.headers.get("Content-Type", ""),
                           body=body)
    raise PreviewError("The link redirects too many times.")


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
