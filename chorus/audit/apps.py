from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "chorus.audit"
    label = "audit"
    verbose_name = "Audit trail"
    role_permissions = {"legal": ["audit.view_auditentry"], "hr": ["audit.view_auditentry"]}

    def ready(self) -> None:
        from chorus.common.navigation import NavItem, register_nav

        register_nav(NavItem("Audit trail", "audit:log", order=900, roles=("admin", "legal")))
