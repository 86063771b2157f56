"""`chorus monitoring_purge`: delete posts past retention and of revoked accounts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Delete monitored posts past their retention period (also runs every 6 hours)."

    def handle(self, *args: Any, **options: Any) -> None:
        from chorus.monitoring.services import monitoring_purge

        result = monitoring_purge()
        self.stdout.write(f"Purged {result.accounts_purged} revoked accounts, "
                          f"{result.posts_deleted} posts deleted.")
