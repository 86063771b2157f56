from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chorus.people.seed import seed_demo


class Command(BaseCommand):
    help = "Create the demo organization (Northwind Robotics) and its cast; idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        created, logins = seed_demo()
        if created:
            self.stdout.write(self.style.SUCCESS("Demo organization created."))
        else:
            self.stdout.write("Demo organization already present; nothing changed.")
        for line in logins:
            self.stdout.write(line)
