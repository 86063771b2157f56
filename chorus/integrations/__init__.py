"""Chorus where people already work: Slack, Microsoft Teams and signed outbound webhooks.

- Slack (`chorus.integrations.slack`): OAuth v2 install per organization, signed inbound
  requests (slash command, message shortcut, block actions, modal submissions), content drops
  with Share buttons, approval requests that act, and the "slack" notification channel (DMs).
- Microsoft Teams (`chorus.integrations.teams`): Adaptive Cards through the Bot Framework
  connector (and Workflows webhooks for channel posts), inbound activities validated as Bot
  Framework JWTs, and the "teams" notification channel.
- Webhooks (`chorus.integrations.webhooks`): organizations subscribe URLs to
  `chorus.notifications.events.EVENT_TYPES`; payloads signed per Standard Webhooks, retried
  with backoff for a day, logged, redeliverable, disabled after repeated failure.
"""
