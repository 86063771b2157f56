"""Small English helpers for text shown to people (pages and e-mails)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateformat import format as date_format

# One human date format everywhere (pages, messages, e-mails), in the reader's time zone.
DAY_FORMAT = "j M Y"
WHEN_FORMAT = "D j M Y, H:i T"


def possessive(name: str) -> str:
    """ "Northwind Robotics'" but "Acme's": no "Robotics's" in front of an employee."""
    text = str(name or "")
    if not text:
        return ""
    return f"{text}'" if text.endswith(("s", "S")) else f"{text}'s"


def days_ago(days: int) -> str:
    """ "earlier today", "yesterday", "3 days ago" (never "0 days ago")."""
    n = int(days or 0)
    if n <= 0:
        return "earlier today"
    if n == 1:
        return "yesterday"
    return f"{n} days ago"


def format_day(value: datetime.date | datetime.datetime | None, *, zone: Any = None) -> str:
    """ "7 Dec 2026": the day of `value` in `zone` (default: the active zone, which is the
    viewer's during a request; pass `zone_for(recipient)` for an e-mail)."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value, zone) if timezone.is_aware(value) else value
    return date_format(value, DAY_FORMAT)


def format_when(value: datetime.date | datetime.datetime | None, *, zone: Any = None) -> str:
    """ "Mon 7 Dec 2026, 13:13 CET" in `zone` (default: the active zone); a date -> its day."""
    if not value:
        return ""
    if not isinstance(value, datetime.datetime):
        return date_format(value, DAY_FORMAT)
    if timezone.is_aware(value):
        value = timezone.localtime(value, zone)
    return date_format(value, WHEN_FORMAT)
