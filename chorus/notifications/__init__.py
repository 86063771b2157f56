"""One notification system for the whole product.

Public interface (the only names other apps import):

- `chorus.notifications.kinds`: `NotificationKind`, `register_kind` (call it in your
  AppConfig.ready()), `get_kind`.
- `chorus.notifications.services`: `notify(...)`, the one way to tell a person something.
- `chorus.notifications.events`: `emit_event(...)`, organization-level events (webhooks).
- `chorus.notifications.channels`: `Channel`, `register_channel` (e-mail here; Slack, Teams,
  push in their own modules or apps).
"""
