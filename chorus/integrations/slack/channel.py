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
from chorus.notifications.channels import (
    ChannelError,
    DeliverySkipped,
    batch_memo,
    external_text,
)
from chorus.notifications.kinds import get_kind

if TYPE_CHECKING:
    from chorus.notifications.models import Delivery


def _installation(organization: Any) -> Any:
    return batch_memo(("slack.installation", organization.pk),
                      lambda: installation_for(organization=organization))  # fmt: skip


def actions_for(notification: Any) -> list[dict[str, Any]]:
    """Buttons that act from Slack: Approve / Request changes on an item waiting for this
    approver, Share on content ready to share."""
    organization, link = notification.organization, notification.link
    found = batch_memo(("slack.item", organization.pk, link),
                       lambda: item_of_link(organization=organization, link=link))  # fmt: skip
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

    def prepare(self, deliveries: list[Delivery]) -> None:
        """Read the batch's recipients' Slack members in one query per organization."""
        from chorus.integrations.models import SlackUserLink

        by_org: dict[int, Any] = {}
        for delivery in deliveries:
            by_org.setdefault(delivery.notification.organization_id, delivery)
        for delivery in by_org.values():
            installation = _installation(delivery.notification.organization)
            if installation is None:
                continue
            users = [d.notification.recipient_id for d in deliveries
                     if d.notification.organization_id == installation.organization_id]
            links: dict[int, Any] = batch_memo(("slack.links", installation.pk), dict)
            links.update((link.user_id, link) for link in SlackUserLink.objects.filter(
                installation=installation, user_id__in=users))  # fmt: skip

    def deliver(self, delivery: Delivery) -> None:
        notification = delivery.notification
        installation = _installation(notification.organization)
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
            known: dict[int, Any] = batch_memo(("slack.links", installation.pk), dict)
            channel = dm_channel_for(installation=installation, user=notification.recipient,
                                     link=known.get(notification.recipient_id))  # fmt: skip
            post_message(installation=installation, channel=channel, message=message)
        except SlackError as exc:
            if exc.code == "users_not_found":  # not in the workspace: nothing to send there
                raise DeliverySkipped(exc.message) from exc
            raise ChannelError(exc.message, retryable=exc.retryable) from exc
