from __future__ import annotations

from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def short_url(url: str) -> str:
    """`x.com/someone/status/12…`: host and path, shortened, for tables."""
    parts = urlsplit(url)
    text = (parts.hostname or "").removeprefix("www.") + parts.path
    return text if len(text) <= 48 else text[:47] + "…"


@register.filter
def status_label(value: str) -> str:
    from chorus.reports.models import Report

    try:
        return str(Report.Status(value).label)
    except ValueError:
        return value
