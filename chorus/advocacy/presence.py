"""Official presence: the networks the organization's own accounts live on, how their profile
links look, their QR codes, and the "profile kit" of suggested bio lines.

Pure functions (no database): `chorus.advocacy.services.presence` validates and stores accounts,
the views render them. Bio limits are each network's own limit for the profile text people
edit (X bio 160, LinkedIn headline 220, Mastodon bio 500, Bluesky description 256, Instagram
bio 150, YouTube channel description 1000, TikTok bio 80, Threads bio 150), counted as the
network counts them (Bluesky in graphemes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import grapheme
import segno
from django.utils.translation import gettext


@dataclass(frozen=True)
class PresenceNetwork:
    key: str
    label: str
    # Hosts a profile URL may have (a subdomain of one counts); empty: any host (Mastodon).
    hosts: tuple[str, ...]
    bio_limit: int
    bio_field: str  # what the network calls the profile text
    graphemes: bool = False

    def measure(self, text: str) -> int:
        return grapheme.length(text) if self.graphemes else len(text)


PRESENCE_NETWORKS: dict[str, PresenceNetwork] = {
    n.key: n
    for n in (
        PresenceNetwork("x", "X", ("x.com", "twitter.com"), 160, "bio"),
        PresenceNetwork("linkedin", "LinkedIn", ("linkedin.com",), 220, "headline"),
        PresenceNetwork("mastodon", "Mastodon", (), 500, "bio"),
        PresenceNetwork("bluesky", "Bluesky", ("bsky.app",), 256, "description",
                        graphemes=True),
        PresenceNetwork("instagram", "Instagram", ("instagram.com",), 150, "bio"),
        PresenceNetwork("youtube", "YouTube", ("youtube.com",), 1000, "channel description"),
        PresenceNetwork("tiktok", "TikTok", ("tiktok.com",), 80, "bio"),
        PresenceNetwork("threads", "Threads", ("threads.net", "threads.com"), 150, "bio"),
    )
}

NETWORK_CHOICES = [(n.key, n.label) for n in PRESENCE_NETWORKS.values()]


class ProfileUrlError(ValueError):
    """The profile link is not a public https profile page on the chosen network."""


def check_profile_url(network: str, url: str) -> str:
    """The cleaned profile URL, or ProfileUrlError saying what is wrong and what to enter."""
    spec = PRESENCE_NETWORKS.get(network)
    if spec is None:
        raise ProfileUrlError(gettext("Choose one of the listed networks."))
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ProfileUrlError(
            gettext("Enter the full address of the %(label)s profile, starting with https://.")
            % {"label": spec.label}
        )
    host = parts.hostname.lower()
    if spec.hosts and not any(host == h or host.endswith("." + h) for h in spec.hosts):
        raise ProfileUrlError(
            gettext("A %(label)s profile address is on %(join)s, not on %(host)s.")
            % {"label": spec.label, "join": " or ".join(spec.hosts), "host": host}
        )
    if not spec.hosts and not parts.path.startswith("/@"):
        raise ProfileUrlError(
            gettext("A Mastodon profile address looks like https://your.server/@account.")
        )
    if parts.username or parts.password:
        raise ProfileUrlError(gettext("The address must not contain a user name or password."))
    if parts.path in ("", "/"):
        raise ProfileUrlError(
            gettext("This is the %(label)s home page; enter the address of the account's profile.")
            % {"label": spec.label}
        )
    return url


def qr_data_uri(url: str) -> str:
    """An SVG QR code of `url` as a data: URI (allowed by the CSP's img-src), dark on light."""
    qr = segno.make(url, error="m")
    return str(qr.svg_data_uri(scale=4, border=2, dark="#111827", light="#ffffff"))


# The built-in disclaimer when the policy names none, in the languages the screening engine
# recognises a disclaimer in (chorus.screening.detectors.business._DISCLAIMER).
DEFAULT_DISCLAIMERS = {
    "en": "Views are my own.",
    "de": "Meine eigene Meinung.",
    "fr": "Mes opinions sont personnelles.",
    "es": "Las opiniones son mías.",
    "pt": "Opiniões são minhas.",
}
_WORKS_AT = {
    "en": "{title} at {org}",
    "de": "{title} bei {org}",
    "fr": "{title} chez {org}",
    "es": "{title} en {org}",
    "pt": "{title} na {org}",
}
_WORKS_AT_NO_TITLE = {
    "en": "Working at {org}",
    "de": "Ich arbeite bei {org}",
    "fr": "Je travaille chez {org}",
    "es": "Trabajo en {org}",
    "pt": "Trabalho na {org}",
}
LANGUAGES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español",
             "pt": "Português"}


@dataclass(frozen=True)
class BioLine:
    network: PresenceNetwork
    text: str
    used: int

    @property
    def fits(self) -> bool:
        return self.used <= self.network.bio_limit


def language_for(code: str) -> str:
    code = (code or "en").lower().split("-")[0]
    return code if code in LANGUAGES else "en"


def profile_kit(*, organization: str, title: str, disclaimer: str, hashtags: tuple[str, ...],
                language: str) -> list[BioLine]:
    """A suggested bio line per network: who you are, where you work, the disclaimer.

    `disclaimer` is the policy's; when it names none, the built-in one in `language`. When a
    network's limit is too small for the whole line, the title is dropped first, then the
    hashtag; the disclaimer is never dropped (a line that still does not fit says so).
    """
    lang = language_for(language)
    disclaimer = disclaimer.strip() or DEFAULT_DISCLAIMERS[lang]
    tag = hashtags[0] if hashtags else ""
    with_title = _WORKS_AT[lang].format(title=title.strip(), org=organization) if title.strip() \
        else None
    without = _WORKS_AT_NO_TITLE[lang].format(org=organization)
    candidates = []
    for who in (with_title, without):
        if who is None:
            continue
        if tag:
            candidates.append(f"{who} {tag}. {disclaimer}")
        candidates.append(f"{who}. {disclaimer}")
    lines = []
    for spec in PRESENCE_NETWORKS.values():
        chosen = next((c for c in candidates if spec.measure(c) <= spec.bio_limit), None)
        text = chosen if chosen is not None else disclaimer
        lines.append(BioLine(network=spec, text=text, used=spec.measure(text)))
    return lines


_HANDLE_RE = re.compile(r"^\S{1,120}$")


def check_handle(handle: str) -> str:
    handle = handle.strip()
    if not _HANDLE_RE.match(handle):
        raise ProfileUrlError(
            gettext("Enter the account's handle as people see it, without spaces.")
        )
    return handle
