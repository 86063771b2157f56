"""`chorus api_token EMAIL [--name NAME]`: create a personal API token and print its secret.

For scripts and the API fuzzing in CI (`make fuzz`); people create theirs on the account page.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chorus.people.models import User
from chorus.people.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print the secret (shown once, never stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="command line")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with the e-mail {options['email']!r}.")
        _, raw = api_token_create(user=user, name=options["name"])
        self.stdout.write(raw)
