"""Microsoft Teams: the organization's tenant, conversations with people, what Chorus posts,
and the activities the bot receives.

Guarantees: a tenant belongs to one organization; an activity from another tenant acts
nowhere; a person is matched by the e-mail address their tenant's directory gives for them
(fetched from the connector, not taken from the message); proactive messages go only to
people who installed or messaged the bot (their conversation reference is stored).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, DomainError, InvalidInput, PermissionDenied
from chorus.common.http import OutboundError, check_url, fetch
from chorus.integrations.common import check_for, content_decide, member_by_email
from chorus.integrations.crypto import decrypt, encrypt
from chorus.integrations.models import TeamsConversation, TeamsIntegration
from chorus.integrations.teams import cards
from chorus.integrations.teams.connector import (
    TeamsError,
    get_member,
    send_activity,
    update_activity,
)
from chorus.people.roles import Role

if TYPE_CHECKING:
    from chorus.people.models import Organization, User

TENANT_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
HELP = ("Send **check** followed by your draft (for example: check Our new robot ships next "
        "week!) to see what your social media policy says before you post. Only you see the "
        "answer; nothing is saved.")
NOT_LINKED = ("Chorus could not match your Teams account to a Chorus account: the e-mail "
              "address of your work account must be the one you use in Chorus.")

__all__ = ["TeamsError"]


def integration_for(*, organization: Organization) -> TeamsIntegration | None:
    return TeamsIntegration.objects.filter(organization=organization).first()


@transaction.atomic
def integration_save(*, actor: User, tenant_id: str, workflow_url: str = "") -> TeamsIntegration:
    """Connect (or change) the organization's Microsoft 365 tenant and drop channel."""
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied(
            gettext("Only your organization's administrators can connect Teams.")
        )
    tenant_id = (tenant_id or "").strip().lower()
    if not TENANT_RE.match(tenant_id):
        raise InvalidInput(gettext("Enter the Directory (tenant) ID: a GUID such as "
                           "72f988bf-86f1-41af-91ab-2d7cd011db47 (Entra admin center → "
                           "Overview)."), field="tenant_id")
    workflow_url = (workflow_url or "").strip()
    if workflow_url:
        try:
            check_url(workflow_url)
        except OutboundError as exc:
            raise InvalidInput(
                gettext(
                    "%(message)s Paste the URL the Workflows app shows for "
                    '"Post to a channel when a webhook request is received".'
                )
                % {"message": exc.message},
                field="workflow_url",
            ) from exc
    organization = actor.org
    taken = TeamsIntegration.objects.filter(tenant_id=tenant_id).exclude(
        organization=organization).exists()
    if taken:
        raise Conflict(gettext("This Microsoft 365 tenant is already connected to another "
                               "organization "
                       "in Chorus."), field="tenant_id")
    integration = integration_for(organization=organization) or TeamsIntegration(
        organization=organization, created_by=actor)
    if integration.pk and integration.tenant_id != tenant_id:
        integration.conversations.all().delete()
    integration.tenant_id = tenant_id
    integration.workflow_url_encrypted = encrypt(workflow_url) if workflow_url else ""
    try:
        with transaction.atomic():
            integration.save()
    except IntegrityError as exc:
        raise Conflict(gettext("This Microsoft 365 tenant is already connected to another "
                       "organization in Chorus."), field="tenant_id") from exc
    audit_record(organization=organization, actor=actor, action="integrations.teams_saved",
                 target=integration, data={"tenant_id": tenant_id,
                                           "channel_drops": bool(workflow_url)})
    return integration


@transaction.atomic
def integration_remove(*, integration: TeamsIntegration, actor: User) -> None:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied(gettext("Only your organization's administrators can disconnect "
                                       "Teams."))
    audit_record(organization=integration.organization, actor=actor,
                 action="integrations.teams_removed", target=integration,
                 data={"tenant_id": integration.tenant_id})
    integration.delete()


def content_drop(*, organization: Organization, item: Any) -> dict[str, Any] | None:
    """Post approved content to the channel behind the organization's Workflows URL."""
    integration = integration_for(organization=organization)
    if integration is None or not integration.workflow_url_encrypted:
        return None
    body = cards.message(
        cards.content_drop(item), summary=gettext("New to share: %(title)s") % {"title": item.title}
    )
    try:
        response = fetch(decrypt(integration.workflow_url_encrypted), method="POST",
                         json=body, max_bytes=64 * 1024, deadline=15, allow_redirects=False)
    except OutboundError as exc:
        raise TeamsError(
            gettext("The Teams workflow could not be reached: %(message)s")
            % {"message": exc.message}
        ) from exc
    if not 200 <= response.status_code < 300:
        raise TeamsError(
            gettext("The Teams workflow answered HTTP %(status_code)s.")
            % {"status_code": response.status_code},
            status=response.status_code,
        )
    return {"status": response.status_code}


def send_to_person(*, conversation: TeamsConversation, activity: dict[str, Any]) -> dict[str, Any]:
    return send_activity(service_url=conversation.service_url,
                         conversation_id=conversation.conversation_id, activity=activity)


# --------------------------------------------------------------------------- inbound


def tenant_of(activity: dict[str, Any]) -> str:
    tenant = ((activity.get("channelData") or {}).get("tenant") or {}).get("id")
    return str(tenant or (activity.get("conversation") or {}).get("tenantId") or "").lower()


def _member(integration: TeamsIntegration, activity: dict[str, Any]) -> User | None:
    """The Chorus account of the sender: their directory e-mail from the connector."""
    sender = activity.get("from") or {}
    conversation = activity.get("conversation") or {}
    service_url = str(activity.get("serviceUrl") or "")
    known = TeamsConversation.objects.select_related("user").filter(
        integration=integration, teams_user_id=str(sender.get("id") or "")).first()
    user: User | None = known.user if known is not None and known.user.is_active else None
    if user is None:
        member = get_member(service_url=service_url,
                            conversation_id=str(conversation.get("id") or ""),
                            member_id=str(sender.get("id") or ""))
        email = member.get("email") or member.get("userPrincipalName") or ""
        user = member_by_email(organization=integration.organization, email=str(email))
    if user is None:
        return None
    if conversation.get("conversationType", "personal") == "personal":
        TeamsConversation.objects.update_or_create(
            integration=integration, user=user,
            defaults={"organization_id": integration.organization_id,
                      "teams_user_id": str(sender.get("id") or "")[:200],
                      "aad_object_id": str(sender.get("aadObjectId") or "")[:64],
                      "conversation_id": str(conversation.get("id") or "")[:300],
                      "service_url": service_url[:500]},
        )
    return user


def activity_handle(*, activity: dict[str, Any]) -> dict[str, Any] | None:
    """Act on one validated activity and answer in the same conversation. Returns what was
    sent (for tests and logs) or None."""
    integration = (TeamsIntegration.objects.select_related("organization")
                   .filter(tenant_id=tenant_of(activity)).first())
    conversation = activity.get("conversation") or {}
    service_url = str(activity.get("serviceUrl") or "")
    conversation_id = str(conversation.get("id") or "")
    if not service_url or not conversation_id:
        return None

    def reply(answer: dict[str, Any]) -> dict[str, Any]:
        send_activity(service_url=service_url, conversation_id=conversation_id,
                      activity=answer, reply_to=str(activity.get("id") or ""))
        return answer

    if integration is None:
        return reply(cards.plain(gettext("This Microsoft 365 tenant is not connected to Chorus. "
                                         "An admin "
                                 "can connect it on Chorus's Integrations page.")))
    kind = activity.get("type")
    if kind == "conversationUpdate":
        bot_id = str((activity.get("recipient") or {}).get("id") or "")
        added = [m.get("id") for m in activity.get("membersAdded") or []]
        if bot_id not in added:
            return None
        user = _member(integration, activity) if conversation.get(
            "conversationType", "personal") == "personal" else None
        return reply(cards.plain(gettext("Hello from Chorus. ") + HELP if user else NOT_LINKED))
    if kind != "message":
        return None
    user = _member(integration, activity)
    if user is None:
        return reply(cards.plain(NOT_LINKED))
    value = activity.get("value")
    if isinstance(value, dict) and value.get("chorus") in (cards.APPROVE, cards.REQUEST_CHANGES):
        approve = value["chorus"] == cards.APPROVE
        note = str(value.get("note") or "")
        try:
            item = content_decide(user=user, item_id=value.get("item"), approve=approve, note=note)
        except DomainError as exc:
            return reply(cards.plain(exc.message))
        updated = cards.message(cards.decided(item, actor_name=user.full_name, approved=approve,
                                              note=note if not approve else ""))
        if activity.get("replyToId"):
            update_activity(service_url=service_url, conversation_id=conversation_id,
                            activity_id=str(activity["replyToId"]), activity=updated)
        return updated
    text = re.sub(r"<at>.*?</at>", "", str(activity.get("text") or "")).strip()
    verb, _, rest = text.partition(" ")
    if verb.lower() != "check":
        return reply(cards.plain(HELP))
    try:
        outcome = check_for(user=user, text=rest)
    except DomainError as exc:
        return reply(cards.plain(exc.message))
    return reply(cards.message(cards.check_answer(outcome), summary=outcome.headline))
