"""Slack: installing into a workspace, matching members to accounts, and what Chorus posts.

Guarantees: a workspace belongs to one organization for good (another organization cannot
install into it, and nothing signed for it acts elsewhere); a member is matched to a Chorus
account only through an e-mail address Slack marks confirmed; bot tokens are stored
encrypted; a revoked token disables the installation instead of failing forever.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth import AuthorizeUrlGenerator

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput, PermissionDenied
from chorus.integrations.common import absolute, member_by_email
from chorus.integrations.crypto import encrypt
from chorus.integrations.models import SlackInstallation, SlackUserLink
from chorus.integrations.slack import messages
from chorus.integrations.slack.client import REVOKED_ERRORS, client, client_for, error_code
from chorus.people.roles import Role

if TYPE_CHECKING:
    from chorus.people.models import Organization, User

BOT_SCOPES = ["commands", "chat:write", "chat:write.public", "im:write", "users:read",
              "users:read.email", "incoming-webhook"]


class SlackError(Exception):
    """Talking to Slack failed; `retryable` says whether trying later can help."""

    def __init__(self, message: str, *, retryable: bool, code: str = "") -> None:
        super().__init__(message)
        self.message, self.retryable, self.code = message, retryable, code


def is_configured() -> bool:
    return bool(settings.SLACK_CLIENT_ID and settings.SLACK_CLIENT_SECRET
                and settings.SLACK_SIGNING_SECRET)


def redirect_uri() -> str:
    return absolute(reverse("integrations:slack-callback"))


def authorize_url(*, state: str) -> str:
    generator = AuthorizeUrlGenerator(
        client_id=settings.SLACK_CLIENT_ID, scopes=BOT_SCOPES,
        redirect_uri=quote(redirect_uri(), safe=""),
        authorization_url=settings.SLACK_AUTHORIZE_URL,
    )
    return generator.generate(state)


def new_state() -> str:
    return secrets.token_urlsafe(32)


def installation_for(*, organization: Organization) -> SlackInstallation | None:
    return SlackInstallation.objects.filter(organization=organization,
                                            revoked_at__isnull=True).first()


def installation_for_team(team_id: str) -> SlackInstallation | None:
    """The active installation of a workspace: the only organization its requests reach."""
    if not team_id:
        return None
    return (SlackInstallation.objects.select_related("organization")
            .filter(team_id=team_id, revoked_at__isnull=True).first())


def installation_complete(*, actor: User, code: str) -> SlackInstallation:
    """Exchange the OAuth code (oauth.v2.access) and store the workspace's bot token."""
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied(
            gettext("Only your organization's administrators can connect Slack.")
        )
    if not code or len(code) > 500:
        raise InvalidInput(gettext("Slack sent no authorization code. Start the installation "
                                   "again."),
                           field="code")
    try:
        answer = client().oauth_v2_access(
            client_id=settings.SLACK_CLIENT_ID, client_secret=settings.SLACK_CLIENT_SECRET,
            code=code, redirect_uri=redirect_uri(),
        )
    except SlackApiError as exc:
        raise InvalidInput(
            gettext(
                "Slack refused the installation (%(error_code)s). Start it "
                "again from the Integrations page."
            )
            % {"error_code": error_code(exc)},
            field="code",
        ) from exc
    except OSError as exc:
        raise InvalidInput(
            gettext("Slack could not be reached. Try again in a minute."), field="code"
        ) from exc
    team = answer.get("team") or {}
    token = answer.get("access_token") or ""
    if not team.get("id") or not token.startswith("xoxb-"):
        raise InvalidInput(gettext("Slack's answer had no bot token. Check the app's bot scopes "
                                   "and "
                           "install again."), field="code")
    hook = answer.get("incoming_webhook") or {}
    organization = actor.org
    with transaction.atomic():
        taken = SlackInstallation.objects.select_for_update().filter(team_id=team["id"]).first()
        if taken is not None and taken.organization_id != organization.pk:
            raise Conflict(gettext("This Slack workspace is already connected to another "
                                   "organization "
                           "in Chorus; a workspace can serve only one organization."))
        existing = taken or SlackInstallation.objects.filter(organization=organization).first()
        installation = existing or SlackInstallation(organization=organization)
        if existing is not None and existing.team_id != team["id"]:
            existing.links.all().delete()  # members of the old workspace are not members here
        installation.team_id = team["id"]
        installation.team_name = str(team.get("name") or "")[:200]
        installation.enterprise_id = str((answer.get("enterprise") or {}).get("id") or "")[:32]
        installation.app_id = str(answer.get("app_id") or "")[:32]
        installation.bot_user_id = str(answer.get("bot_user_id") or "")[:32]
        installation.bot_token_encrypted = encrypt(token)
        installation.scopes = str(answer.get("scope") or "")[:1000]
        installation.drop_channel = str(hook.get("channel_id") or installation.drop_channel)[:32]
        installation.installed_by = actor
        installation.revoked_at, installation.revoked_reason = None, ""
        try:
            with transaction.atomic():
                installation.save()
        except IntegrityError as exc:
            raise Conflict(gettext("This Slack workspace is already connected to another "
                           "organization in Chorus.")) from exc
        audit_record(organization=organization, actor=actor, action="integrations.slack_installed",
                     target=installation, data={"team_id": installation.team_id,
                                                "team_name": installation.team_name})
    return installation


@transaction.atomic
def installation_update(*, installation: SlackInstallation, actor: User,
                        drop_channel: str) -> SlackInstallation:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied(gettext("Only your organization's administrators can change Slack."))
    drop_channel = (drop_channel or "").strip()
    if drop_channel and (drop_channel[:1] not in "CG" or not drop_channel.isalnum()
                         or len(drop_channel) > 32):
        raise InvalidInput(gettext("Enter the channel ID (it starts with C, e.g. C0123ABCD; Slack "
                           "shows it under the channel's name → About)."), field="drop_channel")
    installation.drop_channel = drop_channel
    installation.save(update_fields=["drop_channel", "updated_at"])
    audit_record(organization=installation.organization, actor=actor,
                 action="integrations.slack_updated", target=installation,
                 data={"drop_channel": drop_channel})
    return installation


@transaction.atomic
def installation_remove(*, installation: SlackInstallation, actor: User) -> None:
    if not actor.has_role(Role.ADMIN):
        raise PermissionDenied(gettext("Only your organization's administrators can disconnect "
                                       "Slack."))
    audit_record(organization=installation.organization, actor=actor,
                 action="integrations.slack_removed", target=installation,
                 data={"team_id": installation.team_id})
    installation.delete()


def installation_revoke(*, installation: SlackInstallation, reason: str) -> None:
    SlackInstallation.objects.filter(pk=installation.pk).update(
        revoked_at=timezone.now(), revoked_reason=reason[:200])


def _call(installation: SlackInstallation, method: str, **kwargs: Any) -> Any:
    """One Web API call; errors become SlackError (revoked tokens disable the installation)."""
    try:
        return getattr(client_for(installation), method)(**kwargs)
    except SlackApiError as exc:
        code = error_code(exc)
        if code in REVOKED_ERRORS:
            installation_revoke(
                installation=installation,
                reason=gettext("Slack answered %(code)s") % {"code": code},
            )
            raise SlackError(
                gettext(
                    "Slack no longer accepts Chorus's token (%(code)s); an admin must reconnect "
                    "Slack."
                )
                % {"code": code},
                retryable=False,
                code=code,
            ) from exc
        retryable = code in {
            "ratelimited",
            "internal_error",
            "fatal_error",
            "service_unavailable",
            "request_timeout",
        }
        raise SlackError(
            gettext("Slack answered %(code)s.") % {"code": code}, retryable=retryable, code=code
        ) from exc
    except OSError as exc:  # connection refused, timeouts, TLS (urllib raises OSError)
        raise SlackError(
            gettext("Slack could not be reached: %(exc)s") % {"exc": exc}, retryable=True
        ) from exc


# --------------------------------------------------------------------------- members


def member_for_slack_user(*, installation: SlackInstallation, slack_user_id: str) -> User | None:
    """The Chorus account behind a Slack member: a stored link, else users.info's profile
    e-mail if Slack says it is confirmed and it belongs to an active account here."""
    link = (SlackUserLink.objects.select_related("user")
            .filter(installation=installation, slack_user_id=slack_user_id).first())
    if link is not None:
        return link.user if link.user.is_active else None
    info = _call(installation, "users_info", user=slack_user_id)
    member = info.get("user") or {}
    email = (member.get("profile") or {}).get("email") or ""
    if not member.get("is_email_confirmed") or member.get("deleted") or member.get("is_bot"):
        return None
    user = member_by_email(organization=installation.organization, email=email)
    if user is None:
        return None
    _link(installation=installation, user=user, slack_user_id=slack_user_id)
    return user


def _link(*, installation: SlackInstallation, user: User, slack_user_id: str) -> SlackUserLink:
    try:
        with transaction.atomic():
            link, _ = SlackUserLink.objects.get_or_create(
                installation=installation, user=user,
                defaults={"organization_id": installation.organization_id,
                          "slack_user_id": slack_user_id},
            )
    except IntegrityError:  # the same member was linked by a concurrent request
        link = SlackUserLink.objects.get(installation=installation, slack_user_id=slack_user_id)
    return link


def dm_channel_for(*, installation: SlackInstallation, user: User,
                   link: SlackUserLink | None = None) -> str:
    """The DM channel with a person (users.lookupByEmail, conversations.open), cached.
    `link` is the person's stored member when the caller already read it (a delivery batch)."""
    if link is None:
        link = SlackUserLink.objects.filter(installation=installation, user=user).first()
    if link is None:
        try:
            found = _call(installation, "users_lookupByEmail", email=user.email)
        except SlackError as exc:
            if exc.code == "users_not_found":
                raise SlackError(
                    gettext("No member of the Slack workspace has the e-mail address %(email)s.")
                    % {"email": user.email},
                    retryable=False,
                    code=exc.code,
                ) from exc
            raise
        member = found.get("user") or {}
        if not member.get("id"):
            raise SlackError(gettext("Slack returned no member for this e-mail."), retryable=False)
        link = _link(installation=installation, user=user, slack_user_id=member["id"])
    if not link.dm_channel:
        opened = _call(installation, "conversations_open", users=link.slack_user_id)
        link.dm_channel = str((opened.get("channel") or {}).get("id") or "")
        if not link.dm_channel:
            raise SlackError(gettext("Slack opened no direct message channel."), retryable=True)
        link.save(update_fields=["dm_channel", "updated_at"])
    return link.dm_channel


def post_message(*, installation: SlackInstallation, channel: str,
                 message: dict[str, Any]) -> dict[str, Any]:
    answer = _call(installation, "chat_postMessage", channel=channel, text=message["text"],
                   blocks=message.get("blocks"), unfurl_links=False)
    return {"channel": answer.get("channel"), "ts": answer.get("ts")}


def update_message(*, installation: SlackInstallation, channel: str, ts: str,
                   message: dict[str, Any]) -> None:
    _call(installation, "chat_update", channel=channel, ts=ts, text=message["text"],
          blocks=message.get("blocks", []))


def open_view(*, installation: SlackInstallation, trigger_id: str, view: dict[str, Any]) -> None:
    _call(installation, "views_open", trigger_id=trigger_id, view=view)


def content_drop(*, organization: Organization, item: Any) -> dict[str, Any] | None:
    """Post approved content to the workspace's drop channel (None when there is none)."""
    installation = installation_for(organization=organization)
    if installation is None or not installation.drop_channel:
        return None
    return post_message(installation=installation, channel=installation.drop_channel,
                        message=messages.content_drop(item))
