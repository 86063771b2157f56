from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "chorus.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"
    role_permissions = {
        "hr": ["monitoring.view_linkedaccount"],
        "manager": ["monitoring.view_linkedaccount"],
    }

    def ready(self) -> None:
        from chorus.common.navigation import (
            PERSONAL,
            DashboardCard,
            NavItem,
            register_card,
            register_nav,
        )
        from chorus.notifications.kinds import NotificationKind, register_kind

        register_kind(NotificationKind(
            "monitoring.coaching_note", "A private note about one of your posts",
            sensitive=True, neutral_title=_("You have a private note in Chorus"),
        ))  # fmt: skip
        register_kind(NotificationKind(
            "monitoring.account_attention", "Your linked account needs attention",
            sensitive=True, neutral_title=_("A linked account needs your attention"),
        ))  # fmt: skip

        register_nav(NavItem("Linked accounts", "monitoring:accounts", order=70,
                             section=PERSONAL))
        register_nav(NavItem("Account health", "monitoring:overview", order=71,
                             roles=("admin", "hr", "manager"), section="monitoring-overview"))
        register_card(DashboardCard(template="monitoring/_card.html", context=_card, order=400))


def _card(user):  # type: ignore[no-untyped-def]
    from chorus.monitoring.selectors import account_list_for_owner, alert_list_for_owner

    if user.person is None:
        return None
    accounts = list(account_list_for_owner(user=user).exclude(status="revoked"))
    return {
        "accounts": len(accounts),
        "attention": sum(1 for a in accounts if a.status == "needs_attention"),
        "open_alerts": alert_list_for_owner(user=user, status="open").count(),
    }
