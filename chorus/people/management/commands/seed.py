from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chorus.people.seed import DemoRefused, seed_demo


class Command(BaseCommand):
    help = "Create the demo organization (Northwind Robotics) and its cast; idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Create the demo even with DEBUG=false (a trial server; never production).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created, logins = seed_demo(force=options["force"])
        except DemoRefused as exc:
            raise CommandError(str(exc)) from None
        if created:
            self.stdout.write(self.style.SUCCESS("Demo organization created."))
        else:
            self.stdout.write("Demo organization already present; nothing changed.")
        for line in logins:
            self.stdout.write(line)
