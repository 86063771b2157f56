from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "chorus.incidents"
    label = "incidents"
    verbose_name = "Incidents"

    def ready(self) -> None:
        from chorus.common.navigation import (
            PERSONAL,
            DashboardCard,
            NavItem,
            register_card,
            register_nav,
        )
        from chorus.incidents import cards

        register_nav(NavItem("Incidents", "incidents:incident-list", order=60,
                             roles=("hr", "legal", "admin", "manager")))
        # Every employee: the cases HR told them about (an empty list says so plainly).
        register_nav(NavItem("My cases", "incidents:mine", order=46, roles=("employee",),
                             section=PERSONAL))
        register_card(DashboardCard(template="incidents/_card_hr.html", context=cards.hr_card,
                                    order=60, roles=("hr", "legal", "admin")))
        register_card(DashboardCard(template="incidents/_card_mine.html",
                                    context=cards.my_incidents_card, order=55))
