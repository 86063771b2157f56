"""Counting clicks on tracked links without storing who clicked.

The visitor hash is SHA-256 over (today's salt, the client's network), cut to 128 bits: the
IPv4 /24 or IPv6 /56 the request came from, never the User-Agent, which any client can rotate
to mint new "visitors". The salt is random, kept one day in `ClickSalt`, cached per process,
and deleted by the daily cleanup: after that even we cannot recompute yesterday's hashes, so
visitors cannot be followed across days.

A click is counted once per (share, visitor) within `CLICK_WINDOW`: reloading a link, or a
script hammering it from one network, adds nothing. Known bots, link-preview fetchers,
browser prefetches and HEAD requests are redirected but not counted.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import re
import secrets

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from chorus.advocacy.models import Click, ClickSalt, Share

# Crawlers, link unfurlers (every network fetches a preview when a link is posted, which would
# otherwise count as a click per share) and scripted clients.
BOT_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|preview|facebookexternalhit|facebookcatalog|embedly|"
    r"mastodon/|pleroma|akkoma|misskey|bluesky|cardyb|whatsapp|telegram|skypeuripreview|"
    r"bingpreview|google-inspectiontool|headlesschrome|lighthouse|curl/|wget/|python-requests|"
    r"python-urllib|httpx|aiohttp|go-http-client|okhttp|java/|libwww|feedfetcher|ahrefs|"
    r"semrush|yandex|baidu|duckduck|applebot|petalbot|bytespider|gptbot|ccbot|claudebot",
    re.IGNORECASE,
)

_salt_cache: dict[datetime.date, str] = {}

_LOOKUP_SQL = (
    f"SELECT id, target_url FROM {Share._meta.db_table} WHERE code = %s"  # noqa: S608
)
# One statement: insert unless this visitor clicked this share within the window (the
# (share, day, visitor) index answers the NOT EXISTS).
_INSERT_SQL = (
    f"INSERT INTO {Click._meta.db_table} (share_id, day, visitor, created_at) "  # noqa: S608
    f"SELECT %s, %s, %s, %s WHERE NOT EXISTS (SELECT 1 FROM {Click._meta.db_table} "
    "WHERE share_id = %s AND day = %s AND visitor = %s AND created_at >= %s)"
)
CLICK_WINDOW = datetime.timedelta(minutes=30)
#: One visitor per network: a household or phone (IPv6 /56) or a small IPv4 block (/24), so
#: neither a new User-Agent nor the next address of the same block makes a new visitor.
IPV4_PREFIX, IPV6_PREFIX = 24, 56


def is_bot(user_agent: str, *, purpose: str = "") -> bool:
    """True for empty user agents, every known crawler, unfurler or script, and browser
    prefetches (``Sec-Purpose``/``Purpose: prefetch``), which are not visits."""
    if "prefetch" in purpose.lower() or "prerender" in purpose.lower():
        return True
    return not user_agent.strip() or bool(BOT_PATTERN.search(user_agent))


def visitor_network(ip: str) -> str:
    """The network a client address belongs to (/24 or /56); the raw text if unparsable."""
    try:
        address = ipaddress.ip_address(ip.strip().split("%", 1)[0])
    except ValueError:
        return ip.strip()[:64]
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = IPV4_PREFIX if address.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def salt_for(day: datetime.date) -> str:
    """Today's salt: created once by whichever process asks first, then cached in memory."""
    salt = _salt_cache.get(day)
    if salt is not None:
        return salt
    row = ClickSalt.objects.filter(day=day).values_list("salt", flat=True).first()
    if row is None:
        try:
            with transaction.atomic():
                row = ClickSalt.objects.create(day=day, salt=secrets.token_hex(32)).salt
        except IntegrityError:  # another process created it first: use theirs
            row = ClickSalt.objects.get(day=day).salt
    _salt_cache.clear()  # keep only one day in memory
    _salt_cache[day] = row
    return row


def visitor_hash(*, day: datetime.date, ip: str) -> str:
    """The day's pseudonymous visitor key: the secret daily salt and the client's network."""
    salt = salt_for(day)
    return hashlib.sha256(f"{salt}\x00{visitor_network(ip)}".encode()).hexdigest()[:32]


def resolve_click(*, code: str, ip: str, user_agent: str, purpose: str = "") -> str | None:
    """The target URL for a tracked-link code (None if unknown), counting the click once per
    visitor and `CLICK_WINDOW`.

    Cost per request: one indexed lookup by code and, for a human visitor, one insert (plus a
    salt lookup once per process per day). Two fixed statements on a cursor rather than the
    ORM: building querysets cost more than running these statements (bench/advocacy_redirect.py),
    and this is the one public path that takes traffic spikes.
    """
    with connection.cursor() as cursor:
        cursor.execute(_LOOKUP_SQL, [code])
        row = cursor.fetchone()
        if row is None:
            return None
        share_id, target = row
        if not is_bot(user_agent, purpose=purpose):
            now = timezone.now()
            day = connection.ops.adapt_datefield_value(now.date())
            visitor = visitor_hash(day=now.date(), ip=ip)
            since = connection.ops.adapt_datetimefield_value(now - CLICK_WINDOW)
            cursor.execute(_INSERT_SQL, [
                share_id, day, visitor, connection.ops.adapt_datetimefield_value(now),
                share_id, day, visitor, since,
            ])
    return target


def salts_purge(*, today: datetime.date | None = None) -> int:
    """Delete every salt older than today, making old visitor hashes unlinkable."""
    today = today or timezone.now().date()
    _salt_cache.pop(today - datetime.timedelta(days=1), None)
    deleted, _ = ClickSalt.objects.filter(day__lt=today).delete()
    return deleted
