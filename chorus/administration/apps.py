from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    """First-run setup, the setup checklist, Admin → Users and roles, Admin → Organization,
    invitations, password reset and the platform operator's `chorus init` / `chorus org`."""

    name = "chorus.administration"
    label = "administration"
    verbose_name = "Administration"

    def ready(self) -> None:
        from chorus.common.navigation import DashboardCard, NavItem, register_card, register_nav

        register_nav(
            NavItem("Users and roles", "administration:users", order=900, roles=("admin",))
        )
        register_nav(
            NavItem("Organization", "administration:organization", order=910, roles=("admin",))
        )
        register_nav(
            NavItem("Setup checklist", "administration:checklist", order=920, roles=("admin",))
        )
        from chorus.administration.selectors import checklist_card

        register_card(
            DashboardCard(
                template="administration/_card_checklist.html",
                context=checklist_card,
                order=5,
                roles=("admin",),
            )
        )
