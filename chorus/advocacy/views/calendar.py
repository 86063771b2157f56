"""The content calendar: when items go live and when they expire, month by month, in the
reader's time zone (the middleware activates it)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from chorus.advocacy.models import ContentItem
from chorus.advocacy.views.base import editor_required
from chorus.common.types import AuthedRequest


def _month(raw: str) -> datetime.date:
    today = timezone.localdate()
    try:
        year, month = (int(p) for p in raw.split("-", 1))
        return datetime.date(year, month, 1)
    except (ValueError, TypeError):
        return today.replace(day=1)


@editor_required
def content_calendar(request: AuthedRequest) -> HttpResponse:
    """Items going live (their publish time, or their approval when they have none) and
    expiring in one month. `?month=2026-12`; a malformed month shows this month."""
    first = _month(request.GET.get("month", ""))
    after = (first + datetime.timedelta(days=32)).replace(day=1)
    before = (first - datetime.timedelta(days=1)).replace(day=1)
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, zone)
    end = datetime.datetime.combine(after, datetime.time.min, zone)
    items = ContentItem.objects.filter(organization=request.user.org).exclude(
        status=ContentItem.Status.ARCHIVED).filter(
        Q(publish_at__gte=start, publish_at__lt=end)
        | Q(publish_at__isnull=True, approved_at__gte=start, approved_at__lt=end)
        | Q(expires_at__gte=start, expires_at__lt=end))
    days: dict[datetime.date, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        live = item.publish_at or item.approved_at
        if live and start <= live < end:
            days[timezone.localtime(live).date()].append(
                {"item": item, "event": "live", "at": live,
                 "scheduled": item.publish_at is not None})
        if item.expires_at and start <= item.expires_at < end:
            days[timezone.localtime(item.expires_at).date()].append(
                {"item": item, "event": "expires", "at": item.expires_at})
    for events in days.values():
        events.sort(key=lambda e: e["at"])
    return render(request, "advocacy/calendar.html", {
        "month": first, "previous": before, "next": after,
        "days": sorted(days.items()), "zone": str(zone),
    })
