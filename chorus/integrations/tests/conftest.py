from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from slack_sdk.signature import SignatureVerifier

from chorus.integrations.tests.servers import FakeSlack, response_url_server
from chorus.notifications.kinds import NotificationKind, get_kind, register_kind

FIXTURES = Path(__file__).parent / "fixtures"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def kind(key: str, label: str, **extra: Any) -> NotificationKind:
    """The kind the owning app registers, or the same definition for these tests."""
    try:
        return get_kind(key)
    except ValueError:
        return register_kind(NotificationKind(key, label, **extra))


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text().strip()


def fixture_json(name: str, **replace: Any) -> dict[str, Any]:
    text = fixture_text(name)
    for key, value in replace.items():
        text = text.replace(f'"{key}"', json.dumps(value))
    return json.loads(text)


def sign(body: str, *, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"HTTP_X_SLACK_REQUEST_TIMESTAMP": ts, "HTTP_X_SLACK_SIGNATURE": signature}


@pytest.fixture
def slack(settings):
    with FakeSlack() as server:
        settings.SLACK_API_URL = f"{server.url}/api/"
        settings.SLACK_AUTHORIZE_URL = f"{server.url}/oauth/v2/authorize"
        settings.SLACK_CLIENT_ID = "123.456"
        settings.SLACK_CLIENT_SECRET = "client-secret"
        settings.SLACK_SIGNING_SECRET = SIGNING_SECRET
        yield server


@pytest.fixture
def hooks():
    """Slack's response_url receiver."""
    with response_url_server() as server:
        yield server


def install_slack(client, slack) -> Any:
    start = client.get("/integrations/slack/install/")
    assert start.status_code == 302, start.content
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    done = client.get(f"/integrations/slack/oauth/callback/?{urlencode({'code': 'good-code', 'state': state})}")
    assert done.status_code == 302
    from chorus.integrations.models import SlackInstallation

    return SlackInstallation.objects.get(team_id=slack.team["id"])


@pytest.fixture
def installed(slack, admin, client_for):
    installation = install_slack(client_for(admin), slack)
    client_for(admin).logout()
    return installation


@pytest.fixture
def slack_post(client):
    """POST a signed, form-encoded request to one of the Slack endpoints."""

    def post(path: str, body: str, **headers: str):
        return client.post(path, data=body, content_type="application/x-www-form-urlencoded",
                           **{**sign(body), **headers})

    return post


def interaction_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})
