"""The "slack" notification channel: a direct message from the Chorus bot to the person."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext

from chorus.integrations.common import absolute, can_approve, item_of_link
from chorus.integrations.slack import messages
from chorus.integrations.slack.services import (
    SlackError,
    dm_channel_for,
    installation_for,
    post_message,
)
from chorus.notifications.channels import ChannelError, DeliverySkipped, external_text
from chorus.notifications.kinds import get_kind

if TYPE_CHECKING:
    from chorus.notifications.models import Delivery


def actions_for(notification: Any) -> list[dict[str, Any]]:
    """Buttons that act from Slack: Approve / Request changes on an item waiting for this
    approver, Share on content ready to share."""
    found = item_of_link(organization=notification.organization, link=notification.link)
    if found is None:
        return []
    url_name, item = found
    if url_name == "content-detail" and can_approve(user=notification.recipient, item=item):
        return messages.approval_actions(item)
    if url_name in ("share", "feed") and item.status == "approved":
        return messages.share_actions(item)
    return []


class SlackChannel:
    name = "slack"
    label = "Slack"

    def deliver(self, delivery: Delivery) -> None:
        notification = delivery.notification
        installation = installation_for(organization=notification.organization)
        if installation is None:
            raise DeliverySkipped(gettext("Slack is not connected for this organization."))
        sensitive = get_kind(notification.kind).sensitive
        title, _ = external_text(delivery)  # the neutral title for sensitive kinds
        link_url = absolute(notification.link) if notification.link else settings.SITE_URL
        message = messages.notification_message(
            title=title, body="" if sensitive else notification.body.strip()[:2000],
            link_url=link_url, extra_actions=[] if sensitive else actions_for(notification),
        )
        try:
            channel = dm_channel_for(installation=installation, user=notification.recipient)
            post_message(installation=installation, channel=channel, message=message)
        except SlackError as exc:
            if exc.code == "users_not_found":  # not in the workspace: nothing to send there
                raise DeliverySkipped(exc.message) from exc
            raise ChannelError(exc.message, retryable=exc.retryable) from exc
