"""The Slack app manifest for this server: paste it at api.slack.com/apps → Create New App →
From a manifest, and every URL, scope, command and shortcut Chorus uses is set at once."""

from __future__ import annotations

from typing import Any

import yaml
from django.urls import reverse

from chorus.integrations.common import absolute
from chorus.integrations.slack.messages import REPORT_CALLBACK
from chorus.integrations.slack.services import BOT_SCOPES


def manifest() -> dict[str, Any]:
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": "Chorus",
            "description": "Check a post against your social media policy, report a "
                           "message, share approved content.",
        },
        "features": {
            "bot_user": {"display_name": "Chorus", "always_online": True},
            "app_home": {"messages_tab_enabled": True, "messages_tab_read_only_enabled": True},
            "slash_commands": [{
                "command": "/chorus",
                "url": absolute(reverse("integrations_public:slack-commands")),
                "description": "Check a draft against your social media policy (only you see it)",
                "usage_hint": "check <your draft>", "should_escape": False,
            }],
            "shortcuts": [{"name": "Report to Chorus", "type": "message",
                           "callback_id": REPORT_CALLBACK,
                           "description": "Report this message (anonymously if you want)"}],
        },
        "oauth_config": {
            "redirect_urls": [absolute(reverse("integrations:slack-callback"))],
            "scopes": {"bot": list(BOT_SCOPES)},
        },
        "settings": {
            "event_subscriptions": {
                "request_url": absolute(reverse("integrations_public:slack-events")),
                "bot_events": ["app_uninstalled", "tokens_revoked"],
            },
            "interactivity": {"is_enabled": True, "request_url": absolute(
                reverse("integrations_public:slack-interactions"))},
            "org_deploy_enabled": False, "socket_mode_enabled": False,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml() -> str:
    return yaml.safe_dump(manifest(), sort_keys=False, allow_unicode=True)
