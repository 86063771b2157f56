"""Slack: the OAuth install, signed inbound requests in the shapes Slack documents, and what
Chorus posts, against a local server that speaks the Web API methods and records calls."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from chorus.advocacy.models import ContentItem
from chorus.advocacy.tests.conftest import make_item
from chorus.audit.models import AuditEntry
from chorus.integrations.crypto import decrypt
from chorus.integrations.models import SlackInstallation, SlackUserLink
from chorus.integrations.tests.conftest import (
    fixture_json,
    fixture_text,
    install_slack,
    interaction_body,
    kind,
    sign,
)
from chorus.notifications.events import emit_event
from chorus.notifications.kinds import IN_APP
from chorus.notifications.models import Delivery
from chorus.notifications.services import notify
from chorus.reports.models import Report, Submission

pytestmark = pytest.mark.django_db

SECRET_POST = "Our staging key is AKIAIOSFODNN7EXAMPLE, don't tell anyone"
PLAIN = kind("tests.slack_plain", "A plain notification on Slack",
             default_channels=(IN_APP, "slack"))
SECRET = kind("tests.slack_secret", "A sensitive notification on Slack", sensitive=True,
              default_channels=(IN_APP, "slack"), neutral_title="A case needs your attention")


def command_body(**fields: str) -> str:
    form = {k: v[0] for k, v in parse_qs(fixture_text("slack_slash_command.txt")).items()}
    form.update(fields)
    return urlencode(form)


# --------------------------------------------------------------------------- install


def test_installing_exchanges_the_code_and_stores_the_bot_token_encrypted(slack, admin, client_for):
    client = client_for(admin)
    start = client.get("/integrations/slack/install/")
    authorize = urlsplit(start["Location"])
    query = parse_qs(authorize.query)
    assert authorize.path == "/oauth/v2/authorize" and query["client_id"] == ["123.456"]
    assert "users:read.email" in query["scope"][0] and "commands" in query["scope"][0]
    done = client.get("/integrations/slack/oauth/callback/?" + urlencode(
        {"code": "good-code", "state": query["state"][0]}))
    assert done.status_code == 302

    [exchange] = slack.method_calls("oauth.v2.access")
    assert exchange.params["code"] == "good-code"
    assert exchange.params["redirect_uri"].endswith("/integrations/slack/oauth/callback/")
    installation = SlackInstallation.objects.get()
    assert (installation.organization, installation.team_id, installation.drop_channel) == (
        admin.organization, "T0NORTHWIND", "C0DROPS")
    assert "xoxb" not in installation.bot_token_encrypted
    assert decrypt(installation.bot_token_encrypted) == slack.BOT_TOKEN
    assert AuditEntry.objects.filter(action="integrations.slack_installed").exists()
    page = client.get("/integrations/").content.decode()
    assert "Northwind" in page and slack.BOT_TOKEN not in page


def test_a_callback_with_another_state_installs_nothing(slack, admin, client_for):
    client = client_for(admin)
    client.get("/integrations/slack/install/")
    done = client.get("/integrations/slack/oauth/callback/?code=good-code&state=forged")
    assert done.status_code == 302
    assert slack.method_calls("oauth.v2.access") == []
    assert not SlackInstallation.objects.exists()


def test_a_workspace_connected_to_one_organization_cannot_be_taken_by_another(
    slack, installed, outsider, client_for, org
):
    client = client_for(outsider)
    start = client.get("/integrations/slack/install/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    response = client.get(f"/integrations/slack/oauth/callback/?code=good-code&state={state}",
                          follow=True)
    assert "already connected to another organization" in response.content.decode()
    assert SlackInstallation.objects.get().organization == org


def test_only_admins_can_install(slack, employee, client_for):
    response = client_for(employee).get("/integrations/slack/install/")
    assert response.status_code == 302 and "authorize" not in response["Location"]


# --------------------------------------------------------------------------- signing


def test_the_slash_command_answers_privately_with_the_findings(installed, slack, employee, slack_post):
    slack.add_member(employee.email, "U0EMPLOYEE")
    response = slack_post("/integrations/slack/commands", command_body(text=f"check {SECRET_POST}"))

    assert response.status_code == 200
    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    text = json.dumps(answer["blocks"])
    assert "Don't post this" in text and "AKIAIOSFODNN7EXAMPLE" in text
    assert "not saved" in text
    [info] = slack.method_calls("users.info")
    assert info.params["user"] == "U0EMPLOYEE"
    assert SlackUserLink.objects.get().user == employee
    # The link is kept: the next command asks Slack nothing.
    slack_post("/integrations/slack/commands", command_body(text="check Lovely day"))
    assert len(slack.method_calls("users.info")) == 1


@pytest.mark.parametrize("tamper", ["unsigned", "stale", "other_secret", "changed_body"])
def test_unsigned_or_stale_requests_are_401_and_change_nothing(
    installed, slack, employee, client, tamper
):
    slack.add_member(employee.email, "U0EMPLOYEE")
    body = command_body(text=f"check {SECRET_POST}")
    headers = {
        "unsigned": {},
        "stale": sign(body, timestamp=int(time.time()) - 6 * 60),
        "other_secret": sign(body, secret="not-the-signing-secret"),
        "changed_body": sign(body.replace("check", "chekk")),
    }[tamper]
    response = client.post("/integrations/slack/commands", data=body,
                           content_type="application/x-www-form-urlencoded", **headers)
    assert response.status_code == 401
    assert slack.method_calls("users.info") == []
    assert not SlackUserLink.objects.exists()
    interaction = interaction_body(fixture_json("slack_message_action.json"))
    assert client.post("/integrations/slack/interactions", data=interaction,
                       content_type="application/x-www-form-urlencoded",
                       **(headers and sign(interaction, timestamp=int(time.time()) - 3600))
                       ).status_code == 401
    assert slack.method_calls("views.open") == []


def test_a_member_whose_slack_email_is_not_confirmed_is_not_matched(
    installed, slack, employee, slack_post
):
    slack.add_member(employee.email, "U0EMPLOYEE", confirmed=False)
    answer = slack_post("/integrations/slack/commands", command_body()).json()
    assert "could not match your Slack account" in answer["text"]
    assert not SlackUserLink.objects.exists()


def test_a_workspace_that_is_not_connected_gets_a_clear_answer(slack, slack_post, employee):
    answer = slack_post("/integrations/slack/commands", command_body(team_id="T0STRANGER")).json()
    assert "not connected to Chorus" in answer["text"]


def test_help_for_anything_but_check(installed, slack, slack_post):
    answer = slack_post("/integrations/slack/commands", command_body(text="")).json()
    assert "/chorus check" in answer["text"]


# --------------------------------------------------------------------------- report shortcut


def test_the_report_shortcut_opens_the_form_prefilled_and_files_the_report(
    installed, slack, employee, slack_post
):
    slack.add_member(employee.email, "U0EMPLOYEE")
    shortcut = fixture_json("slack_message_action.json")
    assert slack_post("/integrations/slack/interactions", interaction_body(shortcut)).status_code == 200

    [opened] = slack.method_calls("views.open")
    view = opened.params["view"]
    assert opened.params["trigger_id"] == shortcut["trigger_id"]
    permalink = "https://northwind.slack.com/archives/C0GENERAL/p1701599000000400"
    assert permalink in json.dumps(view["blocks"])
    anonymous_block = next(b for b in view["blocks"] if b.get("block_id") == "anonymous")
    assert anonymous_block["element"]["options"][0]["value"] == "anonymous"

    submission = fixture_json(
        "slack_view_submission.json", CALLBACK_ID=view["callback_id"],
        PRIVATE_METADATA=view["private_metadata"], STATE_VALUES={
            "category": {"value": {"type": "static_select", "selected_option": {
                "text": {"type": "plain_text", "text": "Leak"}, "value": "leak"}}},
            "description": {"value": {"type": "plain_text_input",
                                      "value": "Someone posted our roadmap."}},
            "anonymous": {"value": {"type": "checkboxes", "selected_options": [
                {"text": {"type": "plain_text", "text": "Send anonymously"},
                 "value": "anonymous"}]}},
        })
    answer = slack_post("/integrations/slack/interactions", interaction_body(submission)).json()

    assert answer["response_action"] == "update"
    submitted = Submission.objects.get()
    assert submitted.url == permalink and submitted.category == "leak"
    assert submitted.anonymous and submitted.reporter is None
    assert "leaked roadmap" in submitted.post_text
    assert "Your key, shown only now" in json.dumps(answer["view"])
    assert Report.objects.get().organization == employee.organization


def test_a_report_without_a_description_is_refused_in_the_form(installed, slack, employee, slack_post):
    slack.add_member(employee.email, "U0EMPLOYEE")
    submission = fixture_json(
        "slack_view_submission.json", CALLBACK_ID="chorus_report_submit",
        PRIVATE_METADATA=json.dumps({"permalink": "https://northwind.slack.com/archives/C1/p1",
                                     "text": "x"}),
        STATE_VALUES={"category": {"value": {"type": "static_select", "selected_option": {
            "value": "harassment"}}}, "description": {"value": {"value": "  "}},
            "anonymous": {"value": {"selected_options": []}}})
    answer = slack_post("/integrations/slack/interactions", interaction_body(submission)).json()
    assert answer["response_action"] == "errors" and "description" in answer["errors"]
    assert not Submission.objects.exists()


# --------------------------------------------------------------------------- approvals


def in_review(comms):
    item = make_item(author=comms)
    from chorus.advocacy.services import content_transition

    content_transition(item=item, actor=comms, to_status=ContentItem.Status.IN_REVIEW)
    return item


def test_approve_in_slack_approves_through_advocacy_and_updates_the_message(
    installed, slack, admin, comms, slack_post, hooks
):
    slack.add_member(admin.email, "U0ADMIN")
    item = in_review(comms)
    payload = fixture_json("slack_block_actions.json", ACTION_ID="chorus_approve",
                           ITEM_ID=str(item.pk), RESPONSE_URL=f"{hooks.url}/actions/1")
    assert slack_post("/integrations/slack/interactions", interaction_body(payload)).status_code == 200

    item.refresh_from_db()
    assert item.status == ContentItem.Status.APPROVED and item.approved_by == admin
    [update] = slack.method_calls("chat.update")
    assert (update.params["channel"], update.params["ts"]) == ("DU0ADMIN", "1700000001.000100")
    assert "Approved by Admin" in json.dumps(update.params["blocks"])
    assert "chorus_approve" not in json.dumps(update.params["blocks"])


def test_the_author_cannot_approve_their_own_item_from_slack(
    installed, slack, comms, slack_post, hooks
):
    slack.add_member(comms.email, "U0ADMIN")
    item = in_review(comms)
    payload = fixture_json("slack_block_actions.json", ACTION_ID="chorus_approve",
                           ITEM_ID=str(item.pk), RESPONSE_URL=f"{hooks.url}/actions/1")
    slack_post("/integrations/slack/interactions", interaction_body(payload))
    item.refresh_from_db()
    assert item.status == ContentItem.Status.IN_REVIEW
    [note] = hooks.calls
    assert "someone else in communications must approve" in note.json()["text"]
    assert note.json()["response_type"] == "ephemeral"
    assert slack.method_calls("chat.update") == []


def test_request_changes_asks_for_a_note_then_returns_the_item(
    installed, slack, admin, comms, slack_post, hooks
):
    slack.add_member(admin.email, "U0ADMIN")
    item = in_review(comms)
    payload = fixture_json("slack_block_actions.json", ACTION_ID="chorus_request_changes",
                           ITEM_ID=str(item.pk), RESPONSE_URL=f"{hooks.url}/actions/1")
    slack_post("/integrations/slack/interactions", interaction_body(payload))
    [opened] = slack.method_calls("views.open")
    view = opened.params["view"]

    empty = fixture_json("slack_view_submission.json", CALLBACK_ID=view["callback_id"],
                         PRIVATE_METADATA=view["private_metadata"],
                         STATE_VALUES={"note": {"value": {"type": "plain_text_input", "value": ""}}})
    empty["user"]["id"] = "U0ADMIN"
    refused = slack_post("/integrations/slack/interactions", interaction_body(empty)).json()
    assert refused["response_action"] == "errors" and "what needs to change" in refused["errors"]["note"]

    filled = fixture_json("slack_view_submission.json", CALLBACK_ID=view["callback_id"],
                          PRIVATE_METADATA=view["private_metadata"],
                          STATE_VALUES={"note": {"value": {"type": "plain_text_input",
                                                           "value": "Shorter caption please"}}})
    filled["user"]["id"] = "U0ADMIN"
    answer = slack_post("/integrations/slack/interactions", interaction_body(filled)).json()
    assert answer == {"response_action": "clear"}
    item.refresh_from_db()
    assert item.status == ContentItem.Status.DRAFT
    assert item.events.last().note == "Shorter caption please"
    [update] = slack.method_calls("chat.update")
    assert "Sent back for changes" in json.dumps(update.params["blocks"])


def test_a_button_of_one_workspace_never_acts_on_another_organizations_item(
    installed, slack, admin, outsider, other_org, slack_post, hooks
):
    from chorus.people.roles import Role
    from conftest import make_member

    their_comms = make_member(org=other_org, key="their_comms", roles=[Role.COMMUNICATIONS])
    theirs = in_review(their_comms)
    slack.add_member(admin.email, "U0ADMIN")
    payload = fixture_json("slack_block_actions.json", ACTION_ID="chorus_approve",
                           ITEM_ID=str(theirs.pk), RESPONSE_URL=f"{hooks.url}/actions/1")
    slack_post("/integrations/slack/interactions", interaction_body(payload))
    theirs.refresh_from_db()
    assert theirs.status == ContentItem.Status.IN_REVIEW
    assert "No such content item" in hooks.calls[0].json()["text"]
    # A Slack member whose e-mail is an account of the other organization matches nobody here.
    slack.add_member(outsider.email, "U0OUTSIDER")
    payload["user"]["id"] = "U0OUTSIDER"
    slack_post("/integrations/slack/interactions", interaction_body(payload))
    theirs.refresh_from_db()
    assert theirs.status == ContentItem.Status.IN_REVIEW
    assert not SlackUserLink.objects.filter(user=outsider).exists()


# --------------------------------------------------------------------------- outbound


def test_a_notification_reaches_the_person_as_a_dm_matched_by_email(
    installed, slack, employee, django_capture_on_commit_callbacks
):
    slack.add_member(employee.email, "U0EMPLOYEE")
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind=PLAIN.key, recipients=[employee], organization=employee.organization,
               title="Attestation due Friday", body="Read the new policy.", link="/onboarding/")
    [lookup] = slack.method_calls("users.lookupByEmail")
    assert lookup.params["email"] == employee.email
    [opened] = slack.method_calls("conversations.open")
    assert opened.params["users"] == "U0EMPLOYEE"
    [post] = slack.method_calls("chat.postMessage")
    assert post.params["channel"] == "DU0EMPLOYEE"
    blocks = json.dumps(post.params["blocks"])
    assert "Attestation due Friday" in blocks and "Read the new policy." in blocks
    assert "/onboarding/" in blocks
    assert Delivery.objects.get(channel="slack").status == Delivery.Status.SENT


def test_a_sensitive_kind_sends_only_a_neutral_title_and_a_link_to_slack(
    installed, slack, hr, django_capture_on_commit_callbacks
):
    slack.add_member(hr.email, "U0HR")
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind=SECRET.key, recipients=[hr], organization=hr.organization,
               title="Harassment report about Emery", body="Details of the case",
               link="/reports/9/")
    [post] = slack.method_calls("chat.postMessage")
    sent = json.dumps(post.params)
    assert "A case needs your attention" in sent and "/reports/9/" in sent
    assert "Emery" not in sent and "Details" not in sent


def test_an_approval_request_dm_carries_the_approve_buttons(
    installed, slack, admin, comms, django_capture_on_commit_callbacks
):
    slack.add_member(admin.email, "U0ADMIN")
    item = in_review(comms)
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind=PLAIN.key, recipients=[admin, comms], organization=admin.organization,
               title=f"Review: {item.title}", link=f"/advocacy/hub/{item.pk}/")
    posts = slack.method_calls("chat.postMessage")
    assert len(posts) == 1  # comms has no Slack account: that delivery failed, this one went
    buttons = [e for b in posts[0].params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b.get("value")) for b in buttons[:2]] == [
        ("chorus_approve", str(item.pk)), ("chorus_request_changes", str(item.pk))]
    failed = Delivery.objects.get(notification__recipient=comms, channel="slack")
    assert failed.status == Delivery.Status.SKIPPED and comms.email in failed.last_error


def test_approved_content_drops_into_the_channel_with_a_share_button(
    installed, slack, admin, comms, django_capture_on_commit_callbacks
):
    item = make_item(author=comms, approver=admin)
    with django_capture_on_commit_callbacks(execute=True):
        emit_event(organization=admin.organization, type="content.approved",
                   data={"content_id": item.pk})
    [post] = slack.method_calls("chat.postMessage")
    assert post.params["channel"] == "C0DROPS"
    share = next(e for b in post.params["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert share["text"]["text"] == "Share"
    assert share["url"].endswith(f"/advocacy/content/{item.pk}/share/")
    assert item.title in post.params["text"]


def test_a_revoked_token_disables_the_installation_instead_of_retrying(
    installed, slack, employee, django_capture_on_commit_callbacks
):
    slack.fail["users.lookupByEmail"] = "token_revoked"
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind=PLAIN.key, recipients=[employee], organization=employee.organization,
               title="Hello")
    installation = SlackInstallation.objects.get()
    assert installation.revoked_at is not None and "token_revoked" in installation.revoked_reason
    delivery = Delivery.objects.get(channel="slack")
    assert delivery.status == Delivery.Status.FAILED and "reconnect" in delivery.last_error


def test_another_organizations_members_get_no_dm_through_this_workspace(
    installed, slack, outsider, django_capture_on_commit_callbacks
):
    slack.add_member(outsider.email, "U0OUTSIDER")
    with django_capture_on_commit_callbacks(execute=True):
        notify(kind=PLAIN.key, recipients=[outsider], organization=outsider.organization,
               title="Hello")
    assert slack.method_calls("chat.postMessage") == []
    assert "not connected" in Delivery.objects.get(channel="slack").last_error


def test_the_events_endpoint_answers_the_url_check_and_handles_uninstall(installed, slack, client):
    body = json.dumps({"type": "url_verification", "challenge": "3eZbrw1aB"})
    response = client.post("/integrations/slack/events", data=body,
                           content_type="application/json", **sign(body))
    assert response.json() == {"challenge": "3eZbrw1aB"}
    body = json.dumps({"type": "event_callback", "team_id": "T0NORTHWIND",
                       "event": {"type": "app_uninstalled"}})
    client.post("/integrations/slack/events", data=body, content_type="application/json",
                **sign(body))
    assert SlackInstallation.objects.get().revoked_at is not None


def test_the_integrations_page_saves_the_drop_channel_and_refuses_a_name(installed, admin, client_for):
    client = client_for(admin)
    bad = client.post("/integrations/slack/settings/", {"drop_channel": "#general"})
    assert bad.status_code == 422 and "channel ID" in bad.content.decode()
    assert client.post("/integrations/slack/settings/", {"drop_channel": "C0NEWS"}).status_code == 302
    assert SlackInstallation.objects.get().drop_channel == "C0NEWS"


def test_installing_twice_keeps_one_installation(slack, installed, admin, client_for):
    install_slack(client_for(admin), slack)
    assert SlackInstallation.objects.count() == 1


def test_a_persons_slack_link_is_exported_and_erased(installed, slack, employee, slack_post):
    from chorus.integrations.privacy import erase_person_data, export_person_data

    slack.add_member(employee.email, "U0EMPLOYEE")
    slack_post("/integrations/slack/commands", command_body(text="check hello"))
    [section] = export_person_data(employee.person)
    assert section.records[0]["Slack member id"] == "U0EMPLOYEE"
    erase_person_data(employee.person)
    assert not SlackUserLink.objects.exists()


def test_the_page_offers_a_slack_app_manifest_with_this_servers_urls(admin, client_for, settings):
    import yaml

    settings.SITE_URL = "https://chorus.northwind.example"
    page = client_for(admin).get("/integrations/").content.decode()
    start = page.index('data-testid="slack-manifest">') + len('data-testid="slack-manifest">')
    from html import unescape

    manifest = yaml.safe_load(unescape(page[start:page.index("</pre>", start)]))
    assert manifest["features"]["slash_commands"][0]["url"] == (
        "https://chorus.northwind.example/integrations/slack/commands")
    assert manifest["features"]["shortcuts"][0]["callback_id"] == "chorus_report"
    assert manifest["settings"]["interactivity"]["request_url"].endswith("/integrations/slack/interactions")
    assert "users:read.email" in manifest["oauth_config"]["scopes"]["bot"]


@pytest.mark.parametrize("body", ["payload=not-json", "payload=%5B1%2C2%5D", "nothing=here"])
def test_a_signed_but_malformed_interaction_is_a_clear_400(installed, slack_post, body):
    response = slack_post("/integrations/slack/interactions", body)
    assert response.status_code == 400
    assert "payload field must hold a JSON object" in response.json()["detail"]
