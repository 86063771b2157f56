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
        register_nav(NavItem("Affiliation", "provisioning:affiliation", order=85))
