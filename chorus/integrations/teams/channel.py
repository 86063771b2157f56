"""The "teams" notification channel: an Adaptive Card in the person's chat with the bot."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext

from chorus.integrations.common import absolute, can_approve, item_of_link
from chorus.integrations.models import TeamsConversation
from chorus.integrations.teams import cards
from chorus.integrations.teams.connector import TeamsError
from chorus.integrations.teams.services import integration_for, send_to_person
from chorus.notifications.channels import ChannelError, DeliverySkipped, external_text
from chorus.notifications.kinds import get_kind

if TYPE_CHECKING:
    from chorus.notifications.models import Delivery


def parts_for(notification: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    found = item_of_link(organization=notification.organization, link=notification.link)
    if found is None:
        return [], []
    url_name, item = found
    if url_name == "content-detail" and can_approve(user=notification.recipient, item=item):
        return cards.approval_parts(item)
    if url_name in ("share", "feed") and item.status == "approved":
        return [], cards.share_actions(item)
    return [], []


class TeamsChannel:
    name = "teams"
    label = "Microsoft Teams"

    def deliver(self, delivery: Delivery) -> None:
        notification = delivery.notification
        integration = integration_for(organization=notification.organization)
        if integration is None:
            raise DeliverySkipped(gettext("Teams is not connected for this organization."))
        conversation = TeamsConversation.objects.filter(
            integration=integration, user=notification.recipient).first()
        if conversation is None:
            raise DeliverySkipped(gettext("This person has not added the Chorus app in Teams yet."))
        sensitive = get_kind(notification.kind).sensitive
        title, _ = external_text(delivery)
        extra_body, extra_actions = ([], []) if sensitive else parts_for(notification)
        card = cards.notification(
            title=title, body="" if sensitive else notification.body.strip()[:2000],
            link_url=absolute(notification.link) if notification.link else settings.SITE_URL,
            extra_actions=extra_actions, extra_body=extra_body,
        )
        try:
            send_to_person(conversation=conversation, activity=cards.message(card, summary=title))
        except TeamsError as exc:
            raise ChannelError(exc.message, retryable=exc.retryable) from exc
