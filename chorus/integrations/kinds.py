"""Notification kinds this app sends."""

from django.utils.translation import gettext_lazy as _

from chorus.notifications.kinds import EMAIL, IN_APP, NotificationKind

# A webhook endpoint stopped after repeated failures: its organization's admins must know,
# or events silently stop reaching the system on the other end.
WEBHOOK_DISABLED = NotificationKind(
    key="integrations.webhook_disabled",
    label=_("A webhook endpoint was disabled after repeated failures"),
    mandatory=True,
    default_channels=(IN_APP, EMAIL),
)
