from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "chorus.reports"
    label = "reports"
    verbose_name = "Reports (eyes and ears)"
    role_permissions: dict[str, list[str]] = {}

    def ready(self) -> None:
        from chorus.common.navigation import DashboardCard, NavItem, register_card, register_nav
        from chorus.notifications.kinds import NotificationKind, register_kind

        # Report kinds are sensitive: outside Chorus only a neutral title and the link.
        for key, label, title in (
            ("reports.assigned", "A report is assigned to you", "A report needs your attention"),
            ("reports.sla_breached", "A report is overdue (SLA)", "A report is overdue"),
            ("reports.outcome", "The outcome of your report", "Your report has an update"),
            ("reports.question", "A question about your report", "Your report has an update"),
            ("reports.advocacy_requested", "A response to a report is requested",
             "A response is requested in Chorus"),
        ):
            register_kind(NotificationKind(key, label, sensitive=True, neutral_title=title))

        register_nav(NavItem("Reports", "reports:mine", order=60))
        register_card(
            DashboardCard(template="reports/_card_report.html", context=_report_card, order=60)
        )
        register_card(
            DashboardCard(template="reports/_card_queue.html", context=_queue_card, order=40)
        )
        register_card(
            DashboardCard(
                template="reports/_card_advocacy.html",
                context=_advocacy_card,
                order=45,
                roles=("communications",),
            )
        )


def _report_card(user: Any) -> dict[str, Any] | None:
    from chorus.reports.selectors import submission_list_for_reporter

    open_count = sum(1 for s in submission_list_for_reporter(user=user) if not s.report.is_decided)
    return {"open_count": open_count}


def _queue_card(user: Any) -> dict[str, Any] | None:
    from chorus.reports.selectors import can_triage, queue_counts_for

    if not can_triage(user):
        return None
    return queue_counts_for(user=user)


def _advocacy_card(user: Any) -> dict[str, Any] | None:
    from chorus.reports.selectors import advocacy_requests_for

    return {"requests": list(advocacy_requests_for(user=user)[:5])}
