from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "chorus.common"
    label = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from chorus.common import faults  # noqa: F401  (connects the 503 signal receiver)
        from chorus.common.navigation import NavItem, register_nav

        register_nav(
            NavItem("Background tasks", "common:task-problems", order=950, roles=("admin",))
        )
