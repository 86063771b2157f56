"""`manage.py mfa_reset --email ann@example.com --reason "..."`: the platform operator's
break-glass reset of a person's second factors (for an organization with no second
administrator to approve a reset in the browser). Audited; the person is told."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chorus.common.errors import DomainError
from chorus.identity.mfa.services import factor_reset_by_operator
from chorus.people.models import User


class Command(BaseCommand):
    help = "Remove every second factor of one account (break glass; audited, the person is told)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="The account's e-mail address.")
        parser.add_argument(
            "--reason", required=True, help="Why, e.g. how the person proved who they are."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        user = User.objects.filter(email=email).first()
        if user is None:
            raise CommandError(f"No account has the e-mail address {email}.")
        try:
            removed, codes = factor_reset_by_operator(subject=user, reason=options["reason"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Removed {removed} factor(s) and {codes} recovery code(s) of {email}; their "
            "sessions ended. They set up a new factor at their next sign-in."
        )
