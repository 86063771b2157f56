"""Reported links: validation, normalization (so reports of one post merge) and network detection.

Plain functions over strings; no database. `normalize_url` is what makes two reports "the same
post": scheme and host case, `www.`, default ports, trailing slashes, fragments and tracking
parameters do not make a different post.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from chorus.common.errors import InvalidInput

# Query parameters that only say how someone arrived at the post, never which post it is.
TRACKING_PARAMS = {
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "igshid",
    "igsh",
    "mc_cid",
    "mc_eid",
    "ref_src",
    "ref_url",
    "si",
    "s",
    "t",
    "trk",
    "trackingid",
    "lipi",
    "rcm",
    "share_id",
    "mibextid",
    "__cft__",
    "__tn__",
    "_ga",
    "yclid",
    "spm",
}
TRACKING_PREFIXES = ("utm_", "__cft__", "hsa_", "pk_")

# Hosts that serve the same posts under another name.
HOST_ALIASES = {
    "twitter.com": "x.com",
    "mobile.twitter.com": "x.com",
    "mobile.x.com": "x.com",
    "m.facebook.com": "facebook.com",
    "fb.com": "facebook.com",
    "m.youtube.com": "youtube.com",
    "old.reddit.com": "reddit.com",
    "threads.com": "threads.net",
}

NETWORK_HOSTS = {
    "x.com": "x",
    "bsky.app": "bluesky",
    "linkedin.com": "linkedin",
    "lnkd.in": "linkedin",
    "facebook.com": "facebook",
    "fb.watch": "facebook",
    "instagram.com": "instagram",
    "tiktok.com": "tiktok",
    "youtube.com": "youtube",
    "youtu.be": "youtube",
    "reddit.com": "reddit",
    "threads.net": "threads",
    "glassdoor.com": "glassdoor",
}
# Mastodon and other fediverse servers run on any host; their post URLs look like /@user/123.
MASTODON_PATH = re.compile(r"^/@[A-Za-z0-9_.]+(@[A-Za-z0-9_.-]+)?/\d+/?$")

URL_HELP = (
    "Paste the full address of the post, starting with https:// "
    "(for example https://x.com/someone/status/123)."
)

_validator = URLValidator(schemes=["http", "https"])


def validate_report_url(raw: str, *, field: str = "url") -> str:
    """Return the URL stripped of whitespace, or raise InvalidInput saying what is wrong.

    Accepts only http and https links to a public host name (no localhost, no private or
    reserved IP addresses, no single-label intranet names): a report is about a public post.
    """
    url = (raw or "").strip()
    if not url:
        raise InvalidInput(f"Enter the link to the post. {URL_HELP}", field=field)
    if len(url) > 2000:
        raise InvalidInput(
            "That link is longer than 2,000 characters. Copy the post's own "
            "address from the browser's address bar or its share menu.",
            field=field,
        )
    scheme = urlsplit(url).scheme.lower()
    if scheme and scheme not in ("http", "https"):
        raise InvalidInput(
            f"Links starting with {scheme}: cannot be reported. {URL_HELP}", field=field
        )
    if not scheme:
        raise InvalidInput(f"That link has no https:// at the start. {URL_HELP}", field=field)
    try:
        _validator(url)
    except ValidationError:
        raise InvalidInput(
            f"“{url[:80]}” is not a valid web address. {URL_HELP}", field=field
        ) from None
    host = (urlsplit(url).hostname or "").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and not address.is_global:
        raise InvalidInput(
            "That link points to a private or local address, not a public post. " + URL_HELP,
            field=field,
        )
    if address is None and (host == "localhost" or "." not in host):
        raise InvalidInput(f"“{host}” is not a public website. {URL_HELP}", field=field)
    return url


def _canonical_host(host: str) -> str:
    host = host.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return HOST_ALIASES.get(host, host)


def normalize_url(url: str) -> str:
    """The form under which reports of one post are merged.

    Lower-cases scheme and host, treats http as https, drops `www.`, default ports, user
    info, fragments, trailing slashes and tracking parameters (utm_*, fbclid, ...), and sorts
    the remaining query parameters. Path case is kept: on most networks it is significant.
    """
    parts = urlsplit(url.strip())
    host = _canonical_host(parts.hostname or "")
    port = parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/")
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    )
    return urlunsplit(("https", netloc, path, urlencode(query), ""))


def detect_network(url: str) -> str | None:
    """The network a post URL belongs to, or None when the host does not say."""
    parts = urlsplit(url)
    host = _canonical_host(parts.hostname or "")
    for known, network in NETWORK_HOSTS.items():
        if host == known or host.endswith("." + known):
            return network
    if MASTODON_PATH.match(parts.path):
        return "mastodon"
    return None
