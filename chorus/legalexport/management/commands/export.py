from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chorus.legalexport.verify import verify_bundle


class Command(BaseCommand):
    help = ("Legal export tools: `chorus export verify BUNDLE` checks a bundle offline "
            "(manifest hashes, load file, image list, audit-chain excerpt).")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Verify a bundle (.zip or unpacked directory); "
                                               "exit 1 if anything does not match.")
        verify.add_argument("bundle", help="Path to the bundle .zip or its directory")

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_bundle(options["bundle"])
        if not report.ok:
            raise CommandError(report.describe(), returncode=1)
        self.stdout.write(report.describe())
