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
        from chorus.audit.verifiers import VERIFIERS

        result = audit_verify(organization_id=options["organization"])
        if not result.ok:
            raise CommandError(result.describe(), returncode=1)
        self.stdout.write(result.describe())
        failed = []
        for label, verifier in VERIFIERS.items():
            report = verifier(options["organization"])
            for note in report.notes:
                self.stdout.write(f"{label}: {note}")
            if report.ok:
                self.stdout.write(f"{label}: {report.checked} verified.")
            else:
                failed.append(f"{label}: " + "; ".join(report.problems))
        if failed:
            raise CommandError("\n".join(failed), returncode=1)
