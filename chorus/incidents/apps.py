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
        from chorus.notifications.kinds import NotificationKind, register_kind

        # Not "sensitive": its text is written to carry no allegation, only the deadline, which
        # must reach the employee wherever they read (the right to respond must not lapse).
        register_kind(NotificationKind(
            "incidents.response_requested", "HR asks for your response (with the deadline)",
            mandatory=True,
        ))  # fmt: skip
        register_kind(NotificationKind(
            "incidents.employee_responded", "An employee responded in an incident",
            sensitive=True, neutral_title="An incident has an update",
        ))  # fmt: skip
        register_kind(NotificationKind(
            "incidents.decided", "A decision about you was recorded", sensitive=True,
            mandatory=True, neutral_title="HR recorded a decision: read it in Chorus",
        ))  # fmt: skip

        register_nav(NavItem("Incidents", "incidents:incident-list", order=60,
                             roles=("hr", "legal", "admin", "manager")))
        # Every employee: the cases HR told them about (an empty list says so plainly).
        register_nav(NavItem("My cases", "incidents:mine", order=46, roles=("employee",),
                             section=PERSONAL))
        register_card(DashboardCard(template="incidents/_card_hr.html", context=cards.hr_card,
                                    order=60, roles=("hr", "legal", "admin")))
        register_card(DashboardCard(template="incidents/_card_mine.html",
                                    context=cards.my_incidents_card, order=55))
        _register_fairness_kinds()


def _register_fairness_kinds() -> None:
    """Notification kinds of appeals (issue 20)."""
    from chorus.notifications.kinds import NotificationKind, register_kind

    for key, label in (("incidents.appeal_filed", "An employee appealed a decision"),
                       ("incidents.appeal_review", "You review an appeal"),
                       ("incidents.appeal_decided", "Your appeal was decided")):
        register_kind(NotificationKind(key=key, label=label, sensitive=True, mandatory=True,
                                       neutral_title="A case in Chorus needs you"))
