"""Microsoft Teams: Bot Framework JWTs signed with the tests' own keys (metadata served
locally), activities in the shapes Teams sends, and a local Bot Connector that records."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from chorus.advocacy.models import ContentItem
from chorus.advocacy.tests.conftest import make_item
from chorus.integrations.models import TeamsConversation, TeamsIntegration
from chorus.integrations.teams.services import integration_save
from chorus.integrations.tests.conftest import fixture_json, kind
from chorus.integrations.tests.servers import FakeBotFramework, WebhookTarget
from chorus.notifications.events import emit_event
from chorus.notifications.kinds import IN_APP
from chorus.notifications.models import Delivery
from chorus.notifications.services import notify

pytestmark = pytest.mark.django_db

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
SECRET_POST = "Our staging key is AKIAIOSFODNN7EXAMPLE, don't tell anyone"
PLAIN = kind("tests.teams_plain", "A plain notification on Teams",
             default_channels=(IN_APP, "teams"))
SECRET = kind("tests.teams_secret", "A sensitive notification on Teams", sensitive=True,
              default_channels=(IN_APP, "teams"), neutral_title="A case needs your attention")
SENDER = "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw"
CONVERSATION = "a:17I0kl8EkpE1O9PH5TWrzrLqwGXyC8E4_TLXrP3iG"


def new_key():
    return RSAKey.generate_key(2048)


MICROSOFT_KEY = new_key()
ATTACKER_KEY = new_key()


def jwk(private, kid, endorsements=("msteams",)):
    public = private.as_dict(private=False)
    return {**public, "kid": kid, "use": "sig", "endorsements": list(endorsements)}


@pytest.fixture
def bot(settings, outbound_to_loopback):
    jwks = {"keys": [jwk(MICROSOFT_KEY, "key-1"), jwk(ATTACKER_KEY, "key-webchat", ["webchat"])]}
    with FakeBotFramework(jwks=jwks) as server:
        settings.TEAMS_APP_ID = server.APP_ID
        settings.TEAMS_APP_PASSWORD = server.APP_PASSWORD
        settings.TEAMS_TOKEN_URL = f"{server.url}/botframework.com/oauth2/v2.0/token"
        settings.TEAMS_OPENID_METADATA_URL = f"{server.url}/v1/.well-known/openidconfiguration"
        from django.core.cache import cache

        cache.clear()
        yield server


@pytest.fixture
def connected(admin):
    return integration_save(actor=admin, tenant_id=TENANT)


def token(bot, *, key=MICROSOFT_KEY, kid="key-1", service_url=None, **claims: Any) -> str:
    now = int(time.time())
    body = {"iss": "https://api.botframework.com", "aud": bot.APP_ID, "nbf": now - 10,
            "exp": now + 3600, "serviceUrl": service_url or f"{bot.url}/", **claims}
    return jwt.encode({"alg": "RS256", "kid": kid}, body, key)


def activity(bot, name="teams_message.json", tenant=TENANT, **fields):
    data = fixture_json(name, SERVICE_URL=f"{bot.url}/", TENANT_ID=tenant, TEXT=fields.pop("text", "hi"))
    data.update(fields)
    return data


def send(client, bot, body, auth=None):
    return client.post("/integrations/teams/messages", data=json.dumps(body),
                       content_type="application/json",
                       HTTP_AUTHORIZATION=auth if auth is not None else f"Bearer {token(bot)}")


def member(bot, user, sender=SENDER):
    bot.members[sender] = {"id": sender, "name": user.full_name, "email": user.email,
                           "userPrincipalName": user.email, "aadObjectId": "e8d5e0a4",
                           "tenantId": TENANT}


def test_check_in_teams_answers_with_the_findings_as_an_adaptive_card(bot, connected, employee, client):
    member(bot, employee)
    response = send(client, bot, activity(bot, text=f"check {SECRET_POST}"))

    assert response.status_code == 200
    lookup, reply = bot.connector_calls()
    assert lookup.method == "GET" and lookup.path.endswith("/members/" + SENDER.replace(":", "%3A"))
    assert reply.method == "POST"
    assert reply.path == f"/v3/conversations/{CONVERSATION.replace(':', '%3A')}/activities/1701604536531"
    assert reply.headers["authorization"] == f"Bearer {bot.ACCESS_TOKEN}"
    card = reply.json()["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    text = json.dumps(card["content"])
    assert "Don't post this" in text and "AKIAIOSFODNN7EXAMPLE" in text
    stored = TeamsConversation.objects.get()
    assert (stored.user, stored.conversation_id, stored.service_url) == (employee, CONVERSATION, f"{bot.url}/")


@pytest.mark.parametrize("forged", [
    "none", "not_bearer", "other_audience", "other_issuer", "expired", "unknown_key",
    "not_endorsed", "other_service_url",
])
def test_activities_without_a_valid_bot_framework_token_are_401_and_change_nothing(
    bot, connected, employee, client, forged
):
    member(bot, employee)
    auth = {
        "none": "",
        "not_bearer": f"Basic {token(bot)}",
        "other_audience": f"Bearer {token(bot, aud='someone-elses-bot')}",
        "other_issuer": f"Bearer {token(bot, iss='https://sts.windows.net/evil/')}",
        "expired": f"Bearer {token(bot, exp=int(time.time()) - 600, nbf=int(time.time()) - 4000)}",
        "unknown_key": f"Bearer {token(bot, key=new_key(), kid='key-stolen')}",
        "not_endorsed": f"Bearer {token(bot, key=ATTACKER_KEY, kid='key-webchat')}",
        "other_service_url": f"Bearer {token(bot, service_url='https://smba.evil.example/')}",
    }[forged]
    response = send(client, bot, activity(bot, text=f"check {SECRET_POST}"), auth=auth)
    assert response.status_code == 401
    assert bot.connector_calls() == []
    assert not TeamsConversation.objects.exists()


def test_installing_the_bot_greets_and_remembers_the_conversation(bot, connected, employee, client):
    member(bot, employee)
    send(client, bot, activity(bot, "teams_conversation_update.json"))
    reply = bot.connector_calls()[-1]
    assert "Hello from Chorus" in reply.json()["text"]
    assert TeamsConversation.objects.get().user == employee


def test_a_notification_reaches_the_person_in_their_chat_with_the_bot(
    bot, connected, employee, client, django_capture_on_commit_callbacks
):
    member(bot, employee)
    send(client, bot, activity(bot, "teams_conversation_update.json"))
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind=PLAIN.key, recipients=[employee], organization=employee.organization,
               title="Attestation due Friday", body="Read the new policy.", link="/onboarding/")
    sent = bot.connector_calls()[-1]
    assert sent.method == "POST" and sent.path == f"/v3/conversations/{CONVERSATION.replace(':', '%3A')}/activities"
    card = json.dumps(sent.json()["attachments"][0]["content"])
    assert "Attestation due Friday" in card and "Read the new policy." in card
    assert Delivery.objects.get(channel="teams").status == Delivery.Status.SENT


def test_a_sensitive_kind_sends_only_a_neutral_title_to_teams(
    bot, connected, hr, client, django_capture_on_commit_callbacks
):
    member(bot, hr)
    send(client, bot, activity(bot, "teams_conversation_update.json"))
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind=SECRET.key, recipients=[hr], organization=hr.organization,
               title="Harassment report about Emery", body="Details", link="/reports/9/")
    sent = json.dumps(bot.connector_calls()[-1].json())
    assert "A case needs your attention" in sent and "/reports/9/" in sent
    assert "Emery" not in sent and "Details" not in sent


def test_someone_who_never_added_the_bot_gets_a_recorded_failure(
    bot, connected, employee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind=PLAIN.key, recipients=[employee], organization=employee.organization,
               title="Hello")
    delivery = Delivery.objects.get(channel="teams")
    assert delivery.status == Delivery.Status.SKIPPED and "not added the Chorus app" in delivery.last_error
    assert bot.connector_calls() == []


def test_approve_on_the_card_approves_and_updates_the_card(
    bot, connected, admin, comms, client, django_capture_on_commit_callbacks
):
    from chorus.advocacy.services import content_transition

    member(bot, admin)
    send(client, bot, activity(bot, "teams_conversation_update.json"))
    item = make_item(author=comms)
    content_transition(item=item, actor=comms, to_status=ContentItem.Status.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind=PLAIN.key, recipients=[admin], organization=admin.organization,
               title=f"Review: {item.title}", link=f"/advocacy/hub/{item.pk}/")
    card = bot.connector_calls()[-1].json()["attachments"][0]["content"]
    submit = [a for a in card["actions"] if a["type"] == "Action.Submit"]
    assert [a["data"] for a in submit] == [{"chorus": "approve", "item": item.pk},
                                           {"chorus": "request_changes", "item": item.pk}]

    click = activity(bot, value={**submit[0]["data"], "note": ""}, replyToId="1:activity-7")
    click.pop("text")
    assert send(client, bot, click).status_code == 200
    item.refresh_from_db()
    assert item.status == ContentItem.Status.APPROVED and item.approved_by == admin
    update = bot.connector_calls()[-1]
    assert update.method == "PUT" and update.path.endswith("/activities/1%3Aactivity-7")
    assert "Approved by Admin" in json.dumps(update.json())


def test_request_changes_needs_a_note(bot, connected, admin, comms, client):
    from chorus.advocacy.services import content_transition

    member(bot, admin)
    item = make_item(author=comms)
    content_transition(item=item, actor=comms, to_status=ContentItem.Status.IN_REVIEW)
    click = activity(bot, value={"chorus": "request_changes", "item": item.pk, "note": ""},
                     replyToId="1:activity-7")
    send(client, bot, click)
    assert "what needs to change" in bot.connector_calls()[-1].json()["text"]
    item.refresh_from_db()
    assert item.status == ContentItem.Status.IN_REVIEW
    click["value"]["note"] = "Drop the second caption"
    send(client, bot, click)
    item.refresh_from_db()
    assert item.status == ContentItem.Status.DRAFT


def test_a_tenant_acts_only_in_its_own_organization(
    bot, connected, admin, outsider, other_org, client
):
    from chorus.advocacy.services import content_transition
    from chorus.people.roles import Role
    from conftest import make_member

    their_comms = make_member(org=other_org, key="their_comms", roles=[Role.COMMUNICATIONS])
    theirs = make_item(author=their_comms)
    content_transition(item=theirs, actor=their_comms, to_status=ContentItem.Status.IN_REVIEW)
    member(bot, admin)
    send(client, bot, activity(bot, value={"chorus": "approve", "item": theirs.pk}))
    theirs.refresh_from_db()
    assert theirs.status == ContentItem.Status.IN_REVIEW
    assert "No such content item" in bot.connector_calls()[-1].json()["text"]
    # A member of another tenant is told the tenant is not connected, and matches nobody.
    member(bot, outsider)
    send(client, bot, activity(bot, tenant="00000000-0000-0000-0000-000000000001", text="check hi"))
    assert "not connected to Chorus" in bot.connector_calls()[-1].json()["text"]
    assert not TeamsConversation.objects.filter(user=outsider).exists()


def test_approved_content_drops_to_the_workflows_channel(
    bot, admin, comms, django_capture_on_commit_callbacks
):
    with WebhookTarget(default=202) as workflow:
        integration_save(actor=admin, tenant_id=TENANT, workflow_url=f"{workflow.url}/workflows/abc")
        item = make_item(author=comms, approver=admin)
        with django_capture_on_commit_callbacks(execute=True):
            emit_event(organization=admin.organization, type="content.approved",
                       data={"content_id": item.pk})
        [post] = workflow.calls
    body = post.json()
    assert body["type"] == "message"
    card = body["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    share = card["content"]["actions"][0]
    assert share["title"] == "Share" and share["url"].endswith(f"/advocacy/content/{item.pk}/share/")
    assert "whsec" not in TeamsIntegration.objects.get().workflow_url_encrypted
    assert "workflows/abc" not in TeamsIntegration.objects.get().workflow_url_encrypted


@pytest.mark.parametrize(("data", "words"), [
    ({"tenant_id": "contoso.onmicrosoft.com"}, "Directory (tenant) ID"),
    ({"tenant_id": TENANT, "workflow_url": "javascript:alert(1)"}, "https://"),
])
def test_the_teams_settings_refuse_bad_input(admin, client_for, data, words):
    response = client_for(admin).post("/integrations/teams/", data)
    assert response.status_code == 422 and words in response.content.decode()
    assert not TeamsIntegration.objects.exists()


def test_a_tenant_of_another_organization_cannot_be_claimed(admin, outsider, client_for):
    integration_save(actor=outsider, tenant_id=TENANT)
    response = client_for(admin).post("/integrations/teams/", {"tenant_id": TENANT})
    assert response.status_code == 422 and "another organization" in response.content.decode()
    assert TeamsIntegration.objects.get().organization == outsider.organization


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b""])
def test_a_body_that_is_not_an_activity_is_a_clear_400(bot, client, body):
    response = client.post("/integrations/teams/messages", data=body,
                           content_type="application/json")
    assert response.status_code == 400 and "activity" in response.json()["detail"]
