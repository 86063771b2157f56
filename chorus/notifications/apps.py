from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Typed notification kinds, the in-app notification center, delivery per channel with
    its outcome recorded, and organization events for outbound webhooks."""

    name = "chorus.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from chorus.common.navigation import NavItem, register_nav
        from chorus.notifications.channels import EmailChannel, register_channel
        from chorus.notifications.kinds import DIGEST_KIND, EMAIL, NotificationKind, register_kind
        from chorus.notifications.push import PushChannel

        register_channel(EmailChannel())
        register_channel(PushChannel())
        register_kind(NotificationKind(
            DIGEST_KIND, "Your daily or weekly digest", default_channels=(EMAIL,),
        ))  # fmt: skip
        register_nav(NavItem("Notification defaults", "notifications:defaults", order=92,
                             roles=("admin",)))  # fmt: skip
        register_nav(NavItem("Delivery log", "notifications:deliveries", order=93,
                             roles=("admin",)))  # fmt: skip
