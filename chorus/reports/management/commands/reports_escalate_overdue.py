from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chorus.reports.services import report_escalate_overdue


class Command(BaseCommand):
    help = "Escalate open reports past their SLA to the team lead (once each; safe to repeat)."

    def handle(self, *args: Any, **options: Any) -> None:
        escalated = report_escalate_overdue()
        self.stdout.write(f"{len(escalated)} overdue report(s) escalated.")
        for report in escalated:
            self.stdout.write(f"  {report.reference} {report.get_category_display()}")
