"""Networks we share to: caption limits, share-intent URLs and tracked-link UTM parameters.

Pure functions, no database. The intent formats follow shared/research/connectors.md §4:
an intent only opens a prefilled composer, the employee still confirms the post.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import grapheme
from django.db import models
from django.utils.translation import gettext_lazy as _


class Network(models.TextChoices):
    X = "x", "X"
    BLUESKY = "bluesky", _("Bluesky")
    MASTODON = "mastodon", _("Mastodon")
    LINKEDIN = "linkedin", _("LinkedIn")
    FACEBOOK = "facebook", _("Facebook")


@dataclass(frozen=True)
class NetworkSpec:
    limit: int
    # "characters" counts Python characters; "graphemes" counts what a reader sees as one
    # symbol (an emoji with a skin tone is one), which is how Bluesky counts its 300. People
    # are always told "characters" (`unit_label`): the word "graphemes" is jargon.
    unit: str = "characters"
    # X and Mastodon count every link as 23 characters whatever its real length.
    link_weight: int | None = None
    # LinkedIn and Facebook intents accept only the link; the caption is pasted by the person.
    text_in_intent: bool = True

    @property
    def unit_label(self) -> str:
        return "characters"


SPECS: dict[str, NetworkSpec] = {
    Network.X: NetworkSpec(limit=280, link_weight=23),
    Network.BLUESKY: NetworkSpec(limit=300, unit="graphemes"),
    Network.MASTODON: NetworkSpec(limit=500, link_weight=23),
    Network.LINKEDIN: NetworkSpec(limit=3000, text_in_intent=False),
    Network.FACEBOOK: NetworkSpec(limit=63206, text_in_intent=False),
}

_URL_RE = re.compile(r"https?://\S+")
_INSTANCE_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def measure(network: str, text: str) -> int:
    """Length of `text` as `network` counts it."""
    spec = SPECS[network]
    if spec.link_weight is not None:
        urls = _URL_RE.findall(text)
        rest = _URL_RE.sub("", text)
        return len(rest) + spec.link_weight * len(urls)
    if spec.unit == "graphemes":
        return grapheme.length(text)
    return len(text)


def compose(network: str, caption: str, link: str) -> str:
    """The post as it will appear: the caption followed by the tracked link."""
    caption = caption.rstrip()
    return f"{caption} {link}".strip() if link else caption


def length_problem(network: str, caption: str, link: str) -> str | None:
    """A message saying by how much the composed post is too long, or None if it fits."""
    spec = SPECS[network]
    used = measure(network, compose(network, caption, link))
    if used <= spec.limit:
        return None
    label = Network(network).label
    return (
        f"The {label} post is {used} {spec.unit_label} long with the link; {label} allows "
        f"{spec.limit}. Shorten the caption by {used - spec.limit} {spec.unit_label}."
    )


def normalize_instance(raw: str) -> str:
    """`https://Mastodon.Social/@me` → `mastodon.social`; raises ValueError if not a domain."""
    value = raw.strip().lower()
    value = re.sub(r"^[a-z]+://", "", value).split("/")[0].split("@")[-1].rstrip(".")
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(raw) from None
    if not _INSTANCE_RE.match(value):
        raise ValueError(raw)
    return value


def intent_url(network: str, *, caption: str, link: str, instance: str = "") -> str:
    """The share-intent URL that opens `network`'s composer prefilled (connectors.md §4)."""
    q = _q
    if network == Network.X:
        return f"https://x.com/intent/tweet?text={q(caption.rstrip())}&url={q(link)}"
    if network == Network.BLUESKY:
        return f"https://bsky.app/intent/compose?text={q(compose(network, caption, link))}"
    if network == Network.MASTODON:
        if not instance:
            raise ValueError("A Mastodon share needs the person's own instance.")
        return f"https://{instance}/share?text={q(compose(network, caption, link))}"
    if network == Network.LINKEDIN:
        return f"https://www.linkedin.com/sharing/share-offsite/?url={q(link)}"
    if network == Network.FACEBOOK:
        return f"https://www.facebook.com/sharer/sharer.php?u={q(link)}"
    raise ValueError(f"Unknown network {network!r}")


def _q(value: str) -> str:
    return quote(value, safe="")


def with_utm(url: str, *, network: str, campaign: str) -> str:
    """`url` with utm_source/medium/campaign set; other query parameters and the fragment kept."""
    parts = urlsplit(url)
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
              if k not in {"utm_source", "utm_medium", "utm_campaign"}]
    params += [("utm_source", network), ("utm_medium", "employee_advocacy"),
               ("utm_campaign", campaign)]
    return urlunsplit(parts._replace(query=urlencode(params)))
