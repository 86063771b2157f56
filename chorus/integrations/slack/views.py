"""Slack's entry points: the OAuth install (admins) and the signed inbound requests.

Every inbound request is checked with slack-sdk's SignatureVerifier (HMAC of the raw body
with the app's signing secret, timestamp within five minutes) before anything is parsed;
an unsigned, wrongly signed or stale request is a 401 and changes nothing. The workspace
(`team_id`) decides the organization; a member acts as the Chorus account matched by their
confirmed e-mail address, with that account's permissions.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from chorus.common.errors import DomainError
from chorus.common.types import AuthedRequest
from chorus.integrations.common import check_for, content_decide, content_item
from chorus.integrations.models import SlackInstallation
from chorus.integrations.slack import messages
from chorus.integrations.slack.client import api_url
from chorus.integrations.slack.services import (
    SlackError,
    authorize_url,
    installation_complete,
    installation_for_team,
    installation_revoke,
    is_configured,
    member_for_slack_user,
    new_state,
    open_view,
    update_message,
)
from chorus.people.roles import Role

logger = logging.getLogger(__name__)

STATE_SESSION_KEY = "integrations_slack_oauth_state"
STATE_MAX_AGE = 600
HELP = ("Chorus commands:\n• `/chorus check <your draft>`: see what your social media policy "
        "says about a post before you publish it (only you see the answer; nothing is saved).\n"
        "• Use the message menu → *Report to Chorus* to report a message.")


# --------------------------------------------------------------------------- OAuth install


@login_required
@require_GET
def install(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_role(Role.ADMIN):
        flash.error(request, "Only your organization's administrators can connect Slack.")
        return redirect("integrations:index")
    if not is_configured():
        flash.error(request, "Slack is not set up on this server: set SLACK_CLIENT_ID, "
                             "SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET.")
        return redirect("integrations:index")
    state = new_state()
    request.session[STATE_SESSION_KEY] = {"state": state, "org": request.user.organization_id,
                                          "at": int(time.time())}
    return redirect(authorize_url(state=state))


@login_required
@require_GET
def oauth_callback(request: AuthedRequest) -> HttpResponse:
    saved = request.session.pop(STATE_SESSION_KEY, None) or {}
    state = request.GET.get("state", "")
    fresh = int(time.time()) - int(saved.get("at", 0)) <= STATE_MAX_AGE
    if (not saved or not fresh or saved.get("org") != request.user.organization_id
            or not hmac.compare_digest(str(saved.get("state", "")), state)):
        flash.error(request, "That Slack installation link is invalid or expired. Start again.")
        return redirect("integrations:index")
    if request.GET.get("error"):
        flash.error(request, f"Slack did not install Chorus ({request.GET['error'][:60]}).")
        return redirect("integrations:index")
    try:
        installation = installation_complete(actor=request.user, code=request.GET.get("code", ""))
    except DomainError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, f"Chorus is installed in the Slack workspace "
                               f"{installation.team_name or installation.team_id}.")
    return redirect("integrations:index")


# --------------------------------------------------------------------------- inbound


def _verified(request: HttpRequest) -> bool:
    secret = settings.SLACK_SIGNING_SECRET
    if not secret:
        return False
    return SignatureVerifier(secret).is_valid_request(request.body, dict(request.headers))


def _unauthorized() -> HttpResponse:
    return JsonResponse({"detail": "The request is not signed by Slack, or it is older than "
                                   "five minutes."}, status=401)


def _installation(team_id: str) -> SlackInstallation | None:
    return installation_for_team(team_id)


NOT_CONNECTED = ("This Slack workspace is not connected to Chorus. An admin can connect it on "
                 "Chorus's Integrations page.")
NOT_LINKED = ("Chorus could not match your Slack account to a Chorus account: your Slack "
              "e-mail address must be confirmed and the same as the one you use in Chorus.")


@csrf_exempt
@require_POST
def commands(request: HttpRequest) -> HttpResponse:
    """The `/chorus` slash command (form-encoded). Answers privately (ephemeral)."""
    if not _verified(request):
        return _unauthorized()
    data = request.POST
    installation = _installation(data.get("team_id", ""))
    if installation is None:
        return JsonResponse(messages.ephemeral(NOT_CONNECTED))
    text = data.get("text", "").strip()
    verb, _, rest = text.partition(" ")
    if verb.lower() != "check":
        return JsonResponse(messages.ephemeral(HELP))
    try:
        user = member_for_slack_user(installation=installation,
                                     slack_user_id=data.get("user_id", ""))
    except SlackError as exc:
        return JsonResponse(messages.ephemeral(f"Chorus could not ask Slack who you are "
                                               f"({exc.code or exc.message}). Try again."))
    if user is None:
        return JsonResponse(messages.ephemeral(NOT_LINKED))
    try:
        outcome = check_for(user=user, text=rest)
    except DomainError as exc:
        return JsonResponse(messages.ephemeral(exc.message))
    return JsonResponse(messages.check_answer(outcome))


def _respond(response_url: str, text: str) -> None:
    """A private note to the person who clicked (through the action's response_url)."""
    host = urlsplit(response_url).hostname or ""
    allowed = host == "hooks.slack.com" or host == urlsplit(api_url()).hostname
    if not response_url or not allowed:
        return
    try:
        WebhookClient(response_url, timeout=10).send(text=text, response_type="ephemeral",
                                                     replace_original=False)
    except OSError:
        logger.warning("Slack response_url could not be reached")


@csrf_exempt
@require_POST
def interactions(request: HttpRequest) -> HttpResponse:
    """Shortcuts, buttons and modal submissions (`payload=` JSON, form-encoded)."""
    if not _verified(request):
        return _unauthorized()
    try:
        payload = json.loads(request.POST.get("payload", ""))
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return JsonResponse({"detail": "The payload field must hold a JSON object."}, status=400)
    team_id = (payload.get("team") or {}).get("id") or payload.get("team_id") or ""
    installation = _installation(str(team_id))
    slack_user = str((payload.get("user") or {}).get("id") or "")
    kind = payload.get("type")
    if installation is None:
        if kind == "view_submission":
            return JsonResponse({"response_action": "errors", "errors": {}})
        _respond(str(payload.get("response_url") or ""), NOT_CONNECTED)
        return HttpResponse(status=200)
    try:
        user = member_for_slack_user(installation=installation, slack_user_id=slack_user)
    except SlackError:
        user = None
    if kind == "message_action":
        return _report_shortcut(installation, user, payload)
    if kind == "block_actions":
        return _block_actions(installation, user, payload)
    if kind == "view_submission":
        return _view_submission(installation, user, payload)
    return HttpResponse(status=200)


def _info_view(text: str) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": "Chorus"},
            "close": {"type": "plain_text", "text": "Close"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}


def _report_shortcut(installation: SlackInstallation, user: Any,
                     payload: dict[str, Any]) -> HttpResponse:
    from chorus.reports.forms import CATEGORY_HELP
    from chorus.reports.models import Category

    trigger = str(payload.get("trigger_id") or "")
    if payload.get("callback_id") != messages.REPORT_CALLBACK or not trigger:
        return HttpResponse(status=200)
    try:
        if user is None:
            open_view(installation=installation, trigger_id=trigger, view=_info_view(NOT_LINKED))
            return HttpResponse(status=200)
        message = payload.get("message") or {}
        channel = str((payload.get("channel") or {}).get("id") or "")
        ts = str(message.get("ts") or payload.get("message_ts") or "")
        domain = str((payload.get("team") or {}).get("domain") or "app")
        permalink = f"https://{domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        categories = [(c.value, f"{c.label}: {CATEGORY_HELP[c]}") for c in Category]
        view = messages.report_modal(
            permalink=permalink, message_text=str(message.get("text") or ""),
            categories=categories,
            metadata={"permalink": permalink, "text": str(message.get("text") or "")[:2000]},
        )
        open_view(installation=installation, trigger_id=trigger, view=view)
    except SlackError as exc:
        logger.warning("Slack views.open failed: %s", exc.message)
    return HttpResponse(status=200)


def _block_actions(installation: SlackInstallation, user: Any,
                   payload: dict[str, Any]) -> HttpResponse:
    actions = payload.get("actions") or []
    action = actions[0] if actions and isinstance(actions[0], dict) else {}
    action_id = action.get("action_id")
    response_url = str(payload.get("response_url") or "")
    if action_id not in (messages.APPROVE, messages.REQUEST_CHANGES):
        return HttpResponse(status=200)  # Share and Open are links; Slack only wants the ack
    if user is None:
        _respond(response_url, NOT_LINKED)
        return HttpResponse(status=200)
    container = payload.get("container") or {}
    channel = str(container.get("channel_id") or (payload.get("channel") or {}).get("id") or "")
    ts = str(container.get("message_ts") or (payload.get("message") or {}).get("ts") or "")
    try:
        if action_id == messages.APPROVE:
            item = content_decide(user=user, item_id=action.get("value"), approve=True)
            update_message(installation=installation, channel=channel, ts=ts,
                           message=messages.decided(item, actor_name=user.full_name,
                                                    approved=True))
        else:
            item = content_item(organization=user.org, item_id=action.get("value"))
            open_view(installation=installation, trigger_id=str(payload.get("trigger_id") or ""),
                      view=messages.changes_modal(item=item, metadata={
                          "item": item.pk, "channel": channel, "ts": ts}))
    except DomainError as exc:
        _respond(response_url, exc.message)
    except SlackError as exc:
        _respond(response_url, f"Done in Chorus, but Slack could not be updated ({exc.code}).")
    return HttpResponse(status=200)


def _value(state: dict[str, Any], block: str) -> Any:
    element = ((state.get("values") or {}).get(block) or {}).get("value") or {}
    if "selected_option" in element:
        return (element.get("selected_option") or {}).get("value")
    if "selected_options" in element:
        return [o.get("value") for o in element.get("selected_options") or []]
    return element.get("value")


def _view_submission(installation: SlackInstallation, user: Any,
                     payload: dict[str, Any]) -> HttpResponse:
    view = payload.get("view") or {}
    callback = view.get("callback_id")
    state = view.get("state") or {}
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        metadata = {}
    if user is None:
        return JsonResponse({"response_action": "update", "view": _info_view(NOT_LINKED)})
    if callback == messages.REPORT_VIEW:
        from chorus.reports.services import report_submit

        try:
            result = report_submit(
                organization=user.org, reporter=user, url=str(metadata.get("permalink") or ""),
                network="web", category=str(_value(state, "category") or ""),
                description=str(_value(state, "description") or ""),
                post_text=str(metadata.get("text") or ""),
                anonymous="anonymous" in (_value(state, "anonymous") or []),
            )
        except DomainError as exc:
            block = exc.field if exc.field in ("category", "description") else "description"
            return JsonResponse({"response_action": "errors", "errors": {block: exc.message}})
        return JsonResponse(messages.report_sent(key=result.key, merged=result.merged))
    if callback == messages.CHANGES_VIEW:
        note = str(_value(state, "note") or "")
        try:
            item = content_decide(user=user, item_id=metadata.get("item"), approve=False,
                                  note=note)
        except DomainError as exc:
            return JsonResponse({"response_action": "errors", "errors": {"note": exc.message}})
        if metadata.get("channel") and metadata.get("ts"):
            try:
                update_message(installation=installation, channel=str(metadata["channel"]),
                               ts=str(metadata["ts"]), message=messages.decided(
                                   item, actor_name=user.full_name, approved=False, note=note))
            except SlackError as exc:
                logger.warning("Slack chat.update failed: %s", exc.message)
        return JsonResponse({"response_action": "clear"})
    return JsonResponse({"response_action": "clear"})


@csrf_exempt
@require_POST
def events(request: HttpRequest) -> HttpResponse:
    """Events API: the URL check, and uninstalls (the token stops working: stop using it)."""
    if not _verified(request):
        return _unauthorized()
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return JsonResponse({"detail": "Send a JSON object."}, status=400)
    if payload.get("type") == "url_verification":
        return JsonResponse({"challenge": str(payload.get("challenge") or "")})
    event = payload.get("event") or {}
    if event.get("type") in ("app_uninstalled", "tokens_revoked"):
        installation = _installation(str(payload.get("team_id") or ""))
        if installation is not None:
            installation_revoke(installation=installation,
                                reason=f"Slack sent {event['type']}")
    return HttpResponse(status=200)
