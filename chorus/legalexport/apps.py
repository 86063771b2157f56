from django.apps import AppConfig


class LegalexportConfig(AppConfig):
    name = "chorus.legalexport"
    label = "legalexport"
    verbose_name = "Legal export (eDiscovery)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from chorus.common.navigation import NavItem, register_nav

        register_nav(NavItem("Legal export", "legalexport:list", order=90,
                             roles=("legal", "admin")))
