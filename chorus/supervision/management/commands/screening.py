"""`chorus screening retrain --organization SLUG`: retrain an organization's learned heads."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chorus.common.errors import DomainError


class Command(BaseCommand):
    help = "Screening model of an organization: `retrain` fits it on its reviewer decisions."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        retrain = sub.add_parser("retrain", help="Fit, evaluate, activate if not worse.")
        retrain.add_argument("--organization", required=True, help="The organization's slug.")
        retrain.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        from chorus.people.models import Organization
        from chorus.supervision.services import retrain

        org = Organization.objects.filter(slug=options["organization"]).first()
        if org is None:
            raise CommandError(
                f"No organization with slug {options['organization']!r}; "
                "`chorus org list` shows them."
            )
        try:
            run = retrain(organization=org, actor=None)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        report = run.report
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2, sort_keys=True))
            return
        for side in ("old", "new"):
            r = report[side]
            self.stdout.write(
                f"{side} {r['version']}: held-back micro-F1 {r['held_back']['micro']['f1']:.3f} "
                f"({r['held_back']['posts']} posts), shipped test macro-F1 "
                f"{r['shipped_test']['macro_f1']:.3f}"
            )
        self.stdout.write(report["verdict"])
