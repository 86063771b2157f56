from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class SpeakupConfig(AppConfig):
    name = "chorus.speakup"
    label = "speakup"
    verbose_name = "Speak-up channel (whistleblowing)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from chorus.common.navigation import DashboardCard, NavItem, register_card, register_nav
        from chorus.notifications.kinds import NotificationKind, register_kind

        register_nav(NavItem("Speak-up", "speakup:list", order=62, roles=("hr", "legal")))
        register_card(DashboardCard(template="speakup/_card.html", context=_card, order=42,
                                    roles=("hr", "legal")))
        for key, label, mandatory in (
            ("speakup.received", "A speak-up report arrived", True),
            ("speakup.message", "A reporter wrote on a speak-up report", False),
            ("speakup.assigned", "A speak-up report was handed to you", False),
            ("speakup.reminder", "A speak-up deadline is near", True),
            ("speakup.escalated", "A speak-up deadline passed", True),
            ("speakup.identity_request", "A request to disclose a reporter's identity", True),
            ("speakup.identity_decided", "Your identity request was decided", False),
        ):
            register_kind(NotificationKind(key=key, label=label, sensitive=True,
                                           mandatory=mandatory,
                                           neutral_title="A speak-up report needs you"))


def _card(user: Any) -> dict[str, Any] | None:
    from chorus.speakup.selectors import dashboard_counts

    return dashboard_counts(user=user)
