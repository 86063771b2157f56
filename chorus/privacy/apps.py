from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Data rights: a person's export (GDPR Art. 15/20) and erasure (Art. 17), assembled from
    each app's `privacy.py` (see `chorus.privacy.registry`)."""

    name = "chorus.privacy"
    label = "privacy"
    verbose_name = "Data rights"

    def ready(self) -> None:
        from chorus.common.navigation import NavItem, register_nav

        register_nav(NavItem("Data requests", "privacy:requests", order=880, roles=("hr", "admin")))
