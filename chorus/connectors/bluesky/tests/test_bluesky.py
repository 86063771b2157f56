"""Bluesky: the public author feed from a loopback AppView fake, and Jetstream messages from
real captures."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chorus.connectors.base import AccountRef, ConnectorError
from chorus.connectors.bluesky.adapter import BlueskyConnector
from chorus.connectors.testing import LocalHttpServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
APPVIEW = json.loads((FIXTURES / "synthetic_appview.json").read_text())
DID = "did:plc:acmeemployee234567abcdef"
JSON = {"Content-Type": "application/json"}


def appview_route(path, query):
    actor = query.get("actor", "")
    if path.endswith("app.bsky.actor.getProfile"):
        if actor not in APPVIEW["getProfile"]:
            return 400, JSON, b'{"error":"InvalidRequest","message":"Profile not found"}'
        return 200, JSON, json.dumps(APPVIEW["getProfile"][actor]).encode()
    if path.endswith("app.bsky.feed.getAuthorFeed"):
        if actor not in APPVIEW["getAuthorFeed"]:
            return 400, JSON, b'{"error":"InvalidRequest","message":"Profile not found"}'
        feed = APPVIEW["getAuthorFeed"][actor]
        start, limit = int(query.get("cursor", 0)), min(int(query.get("limit", 50)), 4)
        body = {"feed": feed[start:start + limit]}
        if start + limit < len(feed):
            body["cursor"] = str(start + limit)
        return 200, JSON, json.dumps(body).encode()
    if path.endswith("ratelimited"):
        return 429, {**JSON, "Retry-After": "3"}, b'{"error":"RateLimitExceeded"}'
    return 404, JSON, b'{"error":"NotFound"}'


@pytest.fixture
def appview():
    with LocalHttpServer(appview_route) as server:
        yield server


def test_resolve_a_handle_to_its_did(appview):
    profile = BlueskyConnector(appview_url=appview.url).resolve(AccountRef(handle="@jdoe.example.com"))
    assert (profile.external_id, profile.handle) == (DID, "jdoe.example.com")


def test_an_unknown_handle_is_a_permanent_error(appview):
    with pytest.raises(ConnectorError) as exc:
        BlueskyConnector(appview_url=appview.url).resolve(AccountRef(handle="nobody.example"))
    # Plain words, not the server's developer message ("Profile not found").
    assert exc.value.permanent and "Bluesky has no account with this handle" in exc.value.message


def test_author_feed_pages_through_and_skips_reposts(appview):
    connector = BlueskyConnector(appview_url=appview.url)
    ref = AccountRef(handle="jdoe.example.com", external_id=DID)

    page = connector.fetch_new(ref, cursor=None, since=datetime(2000, 1, 1, tzinfo=UTC))

    feed = APPVIEW["getAuthorFeed"][DID]
    own = [i for i in feed if "reason" not in i and i["post"]["author"]["did"] == DID]
    assert len(page.posts) == len(own) and len(own) < len(feed)
    assert sum("cursor=" in r for r in appview.requests) >= 2  # followed the cursor
    assert all(p.external_id.startswith(f"at://{DID}/app.bsky.feed.post/") for p in page.posts)
    assert page.posts == sorted(page.posts, key=lambda p: p.published_at)
    assert page.cursor == page.posts[-1].published_at.isoformat()

    later = connector.fetch_new(ref, cursor=page.cursor, since=datetime(2000, 1, 1, tzinfo=UTC))
    assert [p.external_id for p in later.posts] == [page.posts[-1].external_id]  # dedup by id


def test_posts_before_consent_are_not_returned(appview):
    connector = BlueskyConnector(appview_url=appview.url)
    ref = AccountRef(handle="jdoe.example.com", external_id=DID)
    page = connector.fetch_new(ref, cursor=None, since=datetime(2999, 1, 1, tzinfo=UTC))
    assert page.posts == [] and page.cursor is None


def _events(name):
    return [line for line in (FIXTURES / name).read_text().splitlines() if line.strip()]


def test_jetstream_golden_events_decode():
    parser = BlueskyConnector()
    events = [parser.parse_event(line) for line in _events("jetstream_v1_golden.jsonl")]
    posts = [e for e in events if e.operation == "create"]
    assert len(posts) == 1
    assert posts[0].post.text == "Try RSV for a good time !!" and posts[0].post.is_reply
    assert posts[0].external_id == ("at://did:plc:q235v55g5unth4zjjdpacfdr/app.bsky.feed.post/"
                                    "3mmoojp4cd223")
    assert all(e.position > 1_700_000_000_000_000 for e in events)
    # Identity events (handle changes) are "profile": the profile check looks again.
    assert {e.operation for e in events} <= {"create", "skip", "account", "delete", "profile"}


def test_jetstream_window_has_17_posts_one_delete_and_an_account_event():
    parser = BlueskyConnector()
    events = [parser.parse_event(line) for line in _events("jetstream_v1_window_trimmed.jsonl")]
    ops = [e.operation for e in events]
    assert (ops.count("create"), ops.count("delete"), ops.count("account")) == (17, 1, 1)
    delete = next(e for e in events if e.operation == "delete")
    assert delete.external_id.endswith("/app.bsky.feed.post/3mpt73z3ejc2p")


def test_a_garbled_message_is_a_clear_error():
    with pytest.raises(ConnectorError, match="not a valid event"):
        BlueskyConnector().parse_event("{not json")


def test_subscribe_url_filters_to_linked_dids_and_resumes():
    url = BlueskyConnector.subscribe_url("wss://js.example/subscribe", dids=["did:b", "did:a"],
                                         cursor=123)
    assert url == ("wss://js.example/subscribe?wantedCollections=app.bsky.feed.post"
                   "&wantedCollections=app.bsky.actor.profile"
                   "&wantedDids=did%3Aa&wantedDids=did%3Ab&cursor=123")
