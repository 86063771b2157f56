"""The Slack Web API client for one installation (slack-sdk's WebClient).

The base URL comes from `SLACK_API_URL` (https://slack.com/api/ in production; tests point it
at a local server). Slack's host is fixed by us, not typed by a user, so the SDK's own HTTP
client is used here rather than `chorus.common.http`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from chorus.integrations.crypto import decrypt

if TYPE_CHECKING:
    from chorus.integrations.models import SlackInstallation

# Errors after which the token is no good: the workspace removed or revoked the app.
REVOKED_ERRORS = {"invalid_auth", "token_revoked", "account_inactive", "not_authed",
                  "token_expired", "team_access_not_granted"}
TIMEOUT_SECONDS = 10


def api_url() -> str:
    url = settings.SLACK_API_URL
    return url if url.endswith("/") else url + "/"


def client(token: str | None = None) -> WebClient:
    return WebClient(token=token, base_url=api_url(), timeout=TIMEOUT_SECONDS)


def client_for(installation: SlackInstallation) -> WebClient:
    """The installation's client; within a delivery batch, one client (one decrypted token)
    serves every message."""
    from chorus.notifications.channels import batch_memo

    token = installation.bot_token_encrypted
    return batch_memo(("slack.client", installation.pk, token),
                      lambda: client(decrypt(token)))  # fmt: skip


def error_code(exc: SlackApiError) -> str:
    try:
        return str(exc.response.get("error") or "unknown_error")
    except AttributeError:
        return "unknown_error"
