from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chorus.people.scale import ScaleRefused, seed_scale
from chorus.people.seed import DemoRefused, seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo organization (Northwind Robotics) and its cast; idempotent. "
        "--scale N then grows it to N times a 50,000-employee organization (PostgreSQL)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Create the demo even with DEBUG=false (a trial server; never production).",
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=None,
            metavar="N",
            help=(
                "Also add N times the volume of a 50,000-employee organization in bulk "
                "(1 = 50,000 people, 2M link clicks, ~1 GB; 0.1 = 5,000 people). PostgreSQL only."
            ),
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
        if options["scale"] is not None:
            try:
                seed_scale(scale=options["scale"], log=self.stdout.write)
            except ScaleRefused as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(
                "Bulk logins use the same password: bulk0@northwind.example (vice president, "
                "manager), bulk<N>@northwind.example (employees)."
            )
