from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils.dateformat import format as date_format

from chorus.common import text

register = template.Library()


@register.filter
def has_role(user: Any, role: str) -> bool:
    """`{% if user|has_role:"hr" %}`: true for admins too."""
    return bool(user and user.is_authenticated and user.has_role(role))


@register.filter
def possessive(name: Any) -> str:
    """`{{ org.name|possessive }}`: "Northwind Robotics'" but "Acme's"."""
    return text.possessive(str(name or ""))


@register.filter
def days_ago(days: Any) -> str:
    """`We first asked {{ days|days_ago }}`: "earlier today", "yesterday", "3 days ago"."""
    return text.days_ago(int(days or 0))


# One human date format everywhere, in the viewer's time zone (activated per request by
# chorus.common.middleware.TimezoneMiddleware: the user's zone, else the organization's, else
# UTC). `expects_localtime` makes Django hand us the value already in that zone.
DAY_FORMAT, WHEN_FORMAT = text.DAY_FORMAT, text.WHEN_FORMAT


@register.filter(expects_localtime=True, is_safe=False)
def day(value: Any) -> str:
    """`{{ due_at|day }}` -> "7 Dec 2026" (a date or the day of a datetime)."""
    if not value:
        return ""
    return date_format(value, DAY_FORMAT)


@register.filter(expects_localtime=True, is_safe=False)
def when(value: Any) -> str:
    """`{{ created_at|when }}` -> "Mon 7 Dec 2026, 13:13 CET" (a date alone -> its day)."""
    if not value:
        return ""
    if not isinstance(value, datetime.datetime):
        return date_format(value, DAY_FORMAT)
    return date_format(value, WHEN_FORMAT)
