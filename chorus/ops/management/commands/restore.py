from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chorus.ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a `chorus backup` archive (verified first; refuses a non-empty installation)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The archive written by `chorus backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace an installation that already holds data (its database and files).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_restore(archive_path=options["archive"], force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc), returncode=1)
        manifest = result.manifest
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']} "
            f"(Chorus {manifest['chorus_version']}): {manifest['database']['vendor']} database "
            f"and {result.files_restored} uploaded file(s)."
        )
        if result.pending_migrations:
            self.stdout.write(
                f"{len(result.pending_migrations)} newer migration(s) are not applied yet: "
                "run `chorus migrate` before starting Chorus."
            )
        self.stdout.write("Check the audit trail with `chorus audit verify`.")
