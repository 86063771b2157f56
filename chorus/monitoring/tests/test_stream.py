"""`chorus stream`: Jetstream replayed from real captures by a local WebSocket server."""

import json
from pathlib import Path

import pytest

from chorus.connectors.base import override_connector
from chorus.connectors.bluesky.replay import JetstreamReplayServer
from chorus.connectors.fake.adapter import FakeConnector
from chorus.monitoring import stream as stream_module
from chorus.monitoring.consent import CONSENT_VERSION
from chorus.monitoring.models import (
    IngestedPost,
    LinkedAccount,
    MonitoringAlert,
    Network,
    StreamCursor,
)
from chorus.monitoring.services import account_link, account_revoke
from chorus.monitoring.stream import JetstreamConsumer
from chorus.monitoring.tests.conftest import when

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "connectors" / "bluesky" / "fixtures"
WINDOW = [json.loads(line) for line in
          (FIXTURES / "jetstream_v1_window_trimmed.jsonl").read_text().splitlines() if line]
THREE_POSTS = "did:plc:u4lmvw4wwzaql3z5kcf3r7h4"
ONE_POST = "did:plc:t2yw5frug3pu4nmygjiq7vln"
DELETER = "did:plc:4smmjsqf6l5jkzczvw6vsrqc"
LAST_US = max(e["time_us"] for e in WINDOW)


def link_dids(user, *dids):
    fake = FakeConnector()
    for did in dids:
        fake.add_account(did, external_id=did)
    with override_connector(Network.BLUESKY, fake):
        accounts = [account_link(user=user, network=Network.BLUESKY, handle=did, agreed=True,
                                 consent_version=CONSENT_VERSION) for did in dids]
    # As if consent had been given before the capture (2026-07-04) was recorded.
    LinkedAccount.objects.filter(pk__in=[a.pk for a in accounts]).update(
        read_from=when(2026, 7, 1), consented_at=when(2026, 7, 1),
        verified_at=when(2026, 7, 1), status=LinkedAccount.Status.ACTIVE)
    return accounts


def commit(did, rkey, op, text=None, offset=1):
    event = {"did": did, "time_us": LAST_US + offset, "kind": "commit",
             "commit": {"rev": "x", "operation": op, "collection": "app.bsky.feed.post",
                        "rkey": rkey}}
    if text is not None:
        event["commit"]["record"] = {"$type": "app.bsky.feed.post", "text": text,
                                     "createdAt": "2026-07-04T14:39:00.000Z"}
    return event


def consume(url, **kwargs):
    consumer = JetstreamConsumer(base_url=url, **kwargs)
    consumer.run(idle_exit=0.5, sleep=lambda s: None)
    return consumer


def test_only_linked_accounts_posts_are_stored(employee, employee2, monitoring_on):
    link_dids(employee, THREE_POSTS, DELETER)
    link_dids(employee2, ONE_POST)

    with JetstreamReplayServer(WINDOW) as server:
        consumer = consume(server.url)

    assert IngestedPost.objects.count() == 4
    assert set(IngestedPost.objects.values_list("account__external_id", flat=True)) == {
        THREE_POSTS, ONE_POST}
    assert "wantedDids=did%3Aplc%3Au4lmvw4wwzaql3z5kcf3r7h4" in server.connections[0]
    assert StreamCursor.objects.get().position == max(
        e["time_us"] for e in WINDOW if e["did"] in {THREE_POSTS, ONE_POST, DELETER})
    assert consumer.stats.posts_created == 4
    assert LinkedAccount.objects.get(external_id=ONE_POST).last_read_at is not None


def test_a_crash_mid_stream_loses_and_duplicates_nothing(employee, monitoring_on, monkeypatch):
    link_dids(employee, THREE_POSTS, ONE_POST)
    real_store = stream_module.store_new_posts
    calls = {"n": 0}

    def crash_on_third_post(**kwargs):
        calls["n"] += bool(kwargs["items"])
        if calls["n"] == 3:
            raise RuntimeError("killed mid-stream")
        return real_store(**kwargs)

    monkeypatch.setattr(stream_module, "store_new_posts", crash_on_third_post)
    with JetstreamReplayServer(WINDOW) as server:
        with pytest.raises(RuntimeError, match="killed"):
            consume(server.url, batch_size=1)
        assert IngestedPost.objects.count() == 2
        saved = StreamCursor.objects.get().position

        monkeypatch.setattr(stream_module, "store_new_posts", real_store)
        consume(server.url, batch_size=1)

    assert f"cursor={saved}" in server.connections[-1]  # resumed from the saved cursor
    assert IngestedPost.objects.count() == 4  # nothing lost ...
    assert IngestedPost.objects.values("external_id").distinct().count() == 4  # ... or doubled


def test_a_dropped_connection_reconnects_from_the_cursor(employee, monitoring_on):
    link_dids(employee, THREE_POSTS, ONE_POST)
    with JetstreamReplayServer(WINDOW, disconnect_after=2) as server:
        consumer = consume(server.url, batch_size=1)
    assert len(server.connections) == 2 and consumer.stats.reconnects == 1
    assert IngestedPost.objects.count() == 4


def test_edits_and_deletions_on_bluesky_are_reflected(employee, monitoring_on):
    link_dids(employee, ONE_POST)
    events = [
        commit(ONE_POST, "zz1", "create", "Initech is garbage", offset=1),
        commit(ONE_POST, "zz1", "update", "Initech is fine", offset=2),
        commit(ONE_POST, "zz2", "create", "garbage again", offset=3),
        commit(ONE_POST, "zz2", "delete", offset=4),
    ]
    with JetstreamReplayServer(WINDOW + events) as server:
        consume(server.url)

    edited = IngestedPost.objects.get(external_id__endswith="/zz1")
    assert edited.text == "Initech is fine" and edited.edited_at is not None
    deleted = IngestedPost.objects.get(external_id__endswith="/zz2")
    assert deleted.deleted_at is not None and deleted.text == ""
    assert sorted(MonitoringAlert.objects.values_list("status", "resolution")) == [
        ("resolved", "The edited post no longer raises a finding."),
        ("resolved", "The post was deleted."),
    ]


def test_a_revoked_account_is_never_stored_even_if_the_stream_sends_it(employee, monitoring_on):
    (account,) = link_dids(employee, ONE_POST)
    account_revoke(user=employee, account=account)
    consumer = JetstreamConsumer(base_url="ws://unused")

    consumer.handle_batch([json.dumps(e) for e in WINDOW])

    assert not IngestedPost.objects.exists()
    assert StreamCursor.objects.get().position == LAST_US  # the cursor still moves on


def test_no_linked_did_means_no_connection_at_all(monitoring_on):
    with JetstreamReplayServer(WINDOW) as server:
        consume(server.url)
    assert server.connections == []  # an unfiltered Jetstream would send every post


def test_a_deactivated_account_needs_attention(employee, monitoring_on):
    (account,) = link_dids(employee, ONE_POST)
    event = {"did": ONE_POST, "time_us": LAST_US + 9, "kind": "account",
             "account": {"active": False, "did": ONE_POST, "status": "deactivated"}}
    JetstreamConsumer(base_url="ws://unused").handle_batch([json.dumps(event)])
    account.refresh_from_db()
    assert account.status == "needs_attention" and "deactivated" in account.last_error


def test_chorus_stream_command_runs_the_consumer(employee, monitoring_on):
    from io import StringIO

    from django.core.management import call_command

    link_dids(employee, THREE_POSTS, ONE_POST)
    out = StringIO()
    with JetstreamReplayServer(WINDOW) as server:
        call_command("stream", url=server.url, max_events=4, stdout=out)
    assert "Stopped after 4 events: 4 new posts" in out.getvalue()
    assert IngestedPost.objects.count() == 4
