from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the web app (Django's server without autoreload; use gunicorn in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addr", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("runserver", options["addr"], use_reloader=False, use_threading=True)
