from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "chorus.supervision"
    label = "supervision"
    verbose_name = "Supervision"
    # Supervisors (FINRA Rule 3110 "designated principals") are legal and communications by
    # default; an administrator holds every role.
    role_permissions = {
        "legal": ["supervision.supervise"],
        "communications": ["supervision.supervise"],
    }

    def ready(self) -> None:
        from chorus.common.navigation import NavItem, register_nav

        register_nav(
            NavItem("Supervision", "supervision:queue", order=27, roles=("legal", "communications"))
        )
