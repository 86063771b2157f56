from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from chorus.ops.backup import BackupError, backup_create, backup_verify


class Command(BaseCommand):
    help = "Back up the database and uploaded files into one archive with a checksummed manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            default=None,
            help="Archive file (default: chorus-backup-<UTC time>.tar in the current directory; "
            "a name ending in .gz is compressed).",
        )
        parser.add_argument(
            "--verify",
            type=Path,
            default=None,
            metavar="ARCHIVE",
            help="Only check an archive (manifest, checksums, migrations); change nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["verify"]:
                manifest = backup_verify(archive_path=options["verify"])
                self.stdout.write(
                    f"OK: {options['verify']} is a complete Chorus backup of "
                    f"{manifest['created_at']} ({len(manifest['files'])} files verified)."
                )
                return
            output = options["output"] or Path(f"chorus-backup-{timezone.now():%Y%m%dT%H%M%SZ}.tar")
            manifest = backup_create(output=output)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=1)
        media = sum(1 for f in manifest["files"] if f["path"].startswith("media/"))
        self.stdout.write(
            f"Backup written to {output}: {manifest['database']['vendor']} database and {media} "
            f"uploaded file(s), Chorus {manifest['chorus_version']}."
        )
