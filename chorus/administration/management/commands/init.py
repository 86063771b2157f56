from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from chorus.administration.management.commands._setup_args import (
    add_organization_arguments,
    read_password,
    require,
)
from chorus.administration.services import (
    installation_is_set_up,
    organization_setup,
    setup_code,
)
from chorus.common.errors import DomainError


class Command(BaseCommand):
    help = "Set up an empty installation: the organization and its first administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        add_organization_arguments(parser)
        parser.add_argument(
            "--setup-code",
            action="store_true",
            help="Only print the code the web setup wizard asks for (with DEBUG=false).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["setup_code"]:
            if installation_is_set_up():
                raise CommandError("This installation is already set up; there is no wizard.")
            self.stdout.write(setup_code())
            return
        if installation_is_set_up():
            raise CommandError(
                "This installation already has an organization; `chorus init` only sets up an "
                "empty one. Add another organization with `chorus org create`."
            )
        require(options, "name", "admin_email", "admin_name")
        if not options["jurisdictions"]:
            raise CommandError("Give at least one --jurisdiction (for example US or EU).")
        password = read_password(options, required=True)
        try:
            result = organization_setup(
                name=options["name"],
                verified_domains=options["domains"],
                jurisdictions=options["jurisdictions"],
                timezone=options["timezone"],
                language=options["language"],
                admin_email=options["admin_email"],
                admin_name=options["admin_name"],
                admin_password=password,
                preset=options["preset"],
                first_run=True,
                method="cli",
            )
        except DomainError as exc:
            where = f" ({exc.field})" if exc.field else ""
            raise CommandError(f"{exc.message}{where}") from None
        org = result.organization
        self.stdout.write(self.style.SUCCESS(f"Created {org.name} (slug {org.slug})."))
        self.stdout.write(f"Administrator: {options['admin_email']}")
        if result.policy_version is not None:
            self.stdout.write(f"Draft policy from the {options['preset']} preset, not published.")
        from django.apps import apps

        if apps.is_installed("chorus.notifications"):
            from chorus.notifications.push import ensure_vapid_key

            key_path, created = ensure_vapid_key()  # Web Push key, made here, never downloaded
            if created:
                self.stdout.write(f"Created the Web Push key in {key_path}.")
        self.stdout.write(f"Next: sign in at {settings.SITE_URL}/login/ and open the checklist.")
