from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    """SCIM 2.0 provisioning per organization, offboarding (one service, each app contributes
    its step through `chorus/<app>/offboarding.py`) and verified affiliation (Bluesky handles
    on the organization's domain, Mastodon-verifiable profile pages)."""

    name = "chorus.provisioning"
    label = "provisioning"
    verbose_name = "Provisioning and offboarding"

    def ready(self) -> None:
        from chorus.common.navigation import NavItem, register_nav
        from chorus.notifications.kinds import NotificationKind, register_kind

        register_kind(NotificationKind(
            key="provisioning.offboarded", label="You were offboarded (what happens to your data)",
            mandatory=True,
        ))
        register_nav(NavItem("Verified affiliation", "provisioning:affiliation", order=75,
                             roles=("employee",)))
        register_nav(NavItem("Offboarding", "provisioning:offboardings", order=885,
                             roles=("hr",)))
        register_nav(NavItem("SCIM provisioning", "provisioning:scim-tokens", order=890,
                             roles=("admin",)))
