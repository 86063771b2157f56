"""HTMX helpers: one view serves the full page or just its fragment."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page_or_fragment(
    request: HttpRequest, *, page: str, fragment: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render `fragment` for an HTMX request and `page` (which includes it) otherwise."""
    template = fragment if getattr(request, "htmx", False) else page
    return render(request, template, context, status=status)
