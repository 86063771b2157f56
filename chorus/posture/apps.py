from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostureConfig(AppConfig):
    """Quiet periods and crisis mode (issue 21)."""

    name = "chorus.posture"
    label = "posture"
    verbose_name = "Quiet periods and crisis mode"

    def ready(self) -> None:
        from chorus.common.navigation import DashboardCard, NavItem, register_card, register_nav
        from chorus.notifications.kinds import NotificationKind, register_kind
        from chorus.posture import services

        register_nav(NavItem("Posture", "posture:index", order=12,
                             roles=("communications", "legal", "hr")))
        register_card(DashboardCard(template="posture/_card.html",
                                    context=services.card_context, order=1))
        register_kind(NotificationKind(
            key="posture.crisis_on", label=_("Crisis mode was turned on or off"), mandatory=True))
        from django.apps import apps

        if apps.is_installed("chorus.reports"):
            from chorus.reports.hooks import register_report_hook

            register_report_hook(services.on_report_created)
