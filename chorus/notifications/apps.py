from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Typed notification kinds, the in-app notification center, delivery per channel with
    its outcome recorded, and organization events for outbound webhooks."""

    name = "chorus.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from chorus.notifications.channels import EmailChannel, register_channel

        register_channel(EmailChannel())
