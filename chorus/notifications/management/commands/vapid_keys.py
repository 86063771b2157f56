from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chorus.notifications.push import (
    ensure_vapid_key,
    generate_vapid_private_key,
    vapid_public_key,
)


class Command(BaseCommand):
    help = "Create the Web Push (VAPID) key once, or print a new one for the environment."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--print", action="store_true", dest="print_only",
                            help="Print a new WEBPUSH_VAPID_PRIVATE_KEY=... line; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["print_only"]:
            self.stdout.write(f"WEBPUSH_VAPID_PRIVATE_KEY={generate_vapid_private_key()}")
            return
        path, created = ensure_vapid_key()
        if path is None:
            self.stdout.write("WEBPUSH_VAPID_PRIVATE_KEY is set; nothing to create.")
        elif created:
            self.stdout.write(self.style.SUCCESS(f"Created the Web Push key in {path}."))
        else:
            self.stdout.write(f"The Web Push key already exists in {path}.")
        self.stdout.write(f"Public key (applicationServerKey): {vapid_public_key()}")
