from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chorus.audit.services import audit_verify


class Command(BaseCommand):
    help = "Audit trail tools: `chorus audit verify` walks the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="Verify the hash chain; exit 1 at the first broken entry."
        )
        verify.add_argument("--organization", type=int, default=None, help="Organization id")

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify(organization_id=options["organization"])
        if not result.ok:
            raise CommandError(result.describe(), returncode=1)
        self.stdout.write(result.describe())
