from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chorus.ops.orgdata import OrgDataError, org_delete, org_export


class Command(BaseCommand):
    help = "Platform operator: `chorus org export ID` and `chorus org delete ID --confirm NAME`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Export every row and file of one organization.")
        export.add_argument("organization_id", type=int)
        export.add_argument(
            "--output",
            "-o",
            type=Path,
            default=None,
            help="Archive file (default: chorus-org-<ID>.tar).",
        )
        delete = sub.add_parser("delete", help="Delete one organization and all of its data.")
        delete.add_argument("organization_id", type=int)
        delete.add_argument(
            "--confirm",
            required=True,
            metavar="NAME",
            help="The organization's exact name, as a guard against a wrong id.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org_id = options["organization_id"]
        try:
            if options["action"] == "export":
                output = options["output"] or Path(f"chorus-org-{org_id}.tar")
                manifest = org_export(organization_id=org_id, output=output)
                rows = sum(manifest["counts"].values())
                self.stdout.write(
                    f"Exported organization {org_id} ({manifest['organization']['name']}) to "
                    f"{output}: {rows} rows, {len(manifest['files']) - 1} file(s)."
                )
                if manifest["missing_files"]:
                    self.stderr.write(
                        f"{len(manifest['missing_files'])} file(s) referenced by rows were "
                        "missing from MEDIA_ROOT and are listed in manifest.json."
                    )
            else:
                deleted = org_delete(organization_id=org_id, confirm_name=options["confirm"])
                self.stdout.write(
                    f"Deleted organization {org_id}: {sum(deleted.values())} rows in "
                    f"{len(deleted)} tables, and its uploaded files."
                )
        except OrgDataError as exc:
            raise CommandError(str(exc), returncode=1)
