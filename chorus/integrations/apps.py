from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Slack, Microsoft Teams and outbound webhooks for each organization."""

    name = "chorus.integrations"
    label = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from chorus.common.navigation import NavItem, register_nav
        from chorus.integrations.drops import content_drop_on_event
        from chorus.integrations.kinds import WEBHOOK_DISABLED
        from chorus.integrations.slack.channel import SlackChannel
        from chorus.integrations.teams.channel import TeamsChannel
        from chorus.integrations.webhooks.services import webhook_event_received
        from chorus.notifications.channels import register_channel
        from chorus.notifications.events import register_event_handler
        from chorus.notifications.kinds import register_kind

        register_kind(WEBHOOK_DISABLED)
        register_channel(SlackChannel())
        register_channel(TeamsChannel())
        register_event_handler(webhook_event_received)
        register_event_handler(content_drop_on_event)
        register_nav(NavItem("Integrations", "integrations:index", order=930, roles=("admin",)))
