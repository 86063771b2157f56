from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "chorus.checks"
    label = "checks"
    verbose_name = "Post checks"

    def ready(self) -> None:
        from chorus.common.navigation import DashboardCard, NavItem, register_card, register_nav

        register_nav(NavItem("Check a post", "checks:check", order=20))
        register_nav(
            NavItem(
                "Review requests", "checks:review-list", order=25, roles=("communications", "legal")
            )
        )
        register_card(DashboardCard(template="checks/_card.html", context=_card, order=20))


def _card(user):  # type: ignore[no-untyped-def]
    from chorus.checks.selectors import review_request_list_for

    mine = review_request_list_for(user=user, mine=True)
    return {
        "answered": mine.exclude(status="open").count(),
        "open": mine.filter(status="open").count(),
    }
