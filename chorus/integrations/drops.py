"""Content drops: approved advocacy content posted to the organization's Slack channel and
Teams channel, with a Share button that opens the share flow in Chorus."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.apps import apps

from chorus.common.errors import NotFound

if TYPE_CHECKING:
    from chorus.people.models import Organization

logger = logging.getLogger(__name__)


def _item_id(data: dict[str, Any]) -> Any:
    for key in ("content_id", "item_id", "content", "id"):
        if data.get(key) is not None:
            return data[key]
    return None


def content_drop_on_event(organization: Organization, type: str, data: dict[str, Any]) -> None:
    """`chorus.notifications.events` handler for `content.approved`: drop it in the background."""
    if type != "content.approved" or not apps.is_installed("chorus.advocacy"):
        return
    item_id = _item_id(data)
    if item_id is None:
        return
    from chorus.integrations.tasks import content_drop_task

    content_drop_task.enqueue(organization.pk, int(item_id))


def content_drop_send(*, organization_id: int, item_id: int) -> dict[str, Any]:
    """Post one approved item to every connected channel; one failing never stops the other."""
    from chorus.integrations.common import content_item
    from chorus.integrations.slack.services import SlackError
    from chorus.integrations.slack.services import content_drop as slack_drop
    from chorus.integrations.teams.services import TeamsError
    from chorus.integrations.teams.services import content_drop as teams_drop
    from chorus.people.models import Organization

    organization = Organization.objects.get(pk=organization_id)
    try:
        item = content_item(organization=organization, item_id=item_id)
    except NotFound:
        return {"slack": "gone", "teams": "gone"}
    if item.status != "approved":
        return {"slack": "not approved", "teams": "not approved"}
    outcome: dict[str, Any] = {}
    try:
        outcome["slack"] = slack_drop(organization=organization, item=item) or "not connected"
    except SlackError as exc:
        logger.warning("Slack content drop failed: %s", exc.message)
        outcome["slack"] = f"failed: {exc.message}"
    try:
        outcome["teams"] = teams_drop(organization=organization, item=item) or "not connected"
    except TeamsError as exc:
        logger.warning("Teams content drop failed: %s", exc.message)
        outcome["teams"] = f"failed: {exc.message}"
    return outcome
