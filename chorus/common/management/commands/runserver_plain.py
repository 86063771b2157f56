from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.urls import get_resolver


class Command(BaseCommand):
    help = "Serve the web app (Django's server without autoreload; use gunicorn in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addr", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        # Load the URLconf (the API's schemas, the screening engine) before the first visitor:
        # lazily it made the first request, usually the sign-in, take 3-6 s (issue 17).
        get_resolver().url_patterns  # noqa: B018
        call_command("runserver", options["addr"], use_reloader=False, use_threading=True)
