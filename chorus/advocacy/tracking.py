"""Counting clicks on tracked links without storing who clicked.

The visitor hash is SHA-256 over (today's salt, IP, user agent), cut to 128 bits. The salt is
random, kept one day in `ClickSalt`, cached per process, and deleted by the daily cleanup:
after that even we cannot recompute yesterday's hashes, so visitors cannot be followed
across days. Known bots and link-preview fetchers are redirected but not counted.
"""

from __future__ import annotations

import datetime
import hashlib
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
_INSERT_SQL = (
    f"INSERT INTO {Click._meta.db_table} (share_id, day, visitor, created_at) "  # noqa: S608
    "VALUES (%s, %s, %s, %s)"
)


def is_bot(user_agent: str) -> bool:
    """True for empty user agents and every known crawler, unfurler or script."""
    return not user_agent.strip() or bool(BOT_PATTERN.search(user_agent))


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


def visitor_hash(*, day: datetime.date, ip: str, user_agent: str) -> str:
    salt = salt_for(day)
    return hashlib.sha256(f"{salt}\x00{ip}\x00{user_agent}".encode()).hexdigest()[:32]


def resolve_click(*, code: str, ip: str, user_agent: str) -> str | None:
    """The target URL for a tracked-link code (None if unknown), counting the click.

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
        if not is_bot(user_agent):
            now = timezone.now()
            day = now.date()
            cursor.execute(_INSERT_SQL, [
                share_id, connection.ops.adapt_datefield_value(day),
                visitor_hash(day=day, ip=ip, user_agent=user_agent),
                connection.ops.adapt_datetimefield_value(now),
            ])
    return target


def salts_purge(*, today: datetime.date | None = None) -> int:
    """Delete every salt older than today, making old visitor hashes unlinkable."""
    today = today or timezone.now().date()
    _salt_cache.pop(today - datetime.timedelta(days=1), None)
    deleted, _ = ClickSalt.objects.filter(day__lt=today).delete()
    return deleted
