from datetime import UTC, datetime
from pathlib import Path

import pytest

from chorus.connectors.base import AccountRef, ConnectorError
from chorus.connectors.rss.adapter import RssConnector, parse_feed
from chorus.connectors.testing import LocalHttpServer

# These tests read from servers on 127.0.0.1, which the outbound guard refuses by default.
pytestmark = pytest.mark.usefixtures("outbound_to_loopback")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RSS = {"Content-Type": "application/rss+xml"}


def route(path, query):
    if path == "/mastodon.rss":
        return 200, RSS, (FIXTURES / "mastodon_profile.rss").read_bytes()
    if path == "/busy":
        return 503, {"Retry-After": "9"}, b""
    if path == "/page":
        return 200, {"Content-Type": "text/html"}, b"<html><body>not a feed</body></html>"
    return 404, {}, b""


def test_mastodon_profile_feed_becomes_plain_text_posts():
    _, posts = parse_feed((FIXTURES / "mastodon_profile.rss").read_bytes())
    assert posts[-1].text.startswith("Excited about our launch! #acme https://example.com/launch")
    assert posts[-1].external_id == "https://social.example/@jdoe/114445338053750362"
    assert any("Whiteboard with the Q3 roadmap" in p.text for p in posts)  # image description


def test_bluesky_profile_feed_short_dates_parse():
    feed, posts = parse_feed((FIXTURES / "bluesky_profile.rss").read_bytes())
    assert feed["title"] == "@jdoe.example.com - Jane Doe"
    assert posts[0].published_at == datetime(2026, 5, 25, 12, 0, tzinfo=UTC)
    assert posts[1].external_id.startswith("at://did:plc:acmeemployee234567abcdef/")


def test_polling_a_feed_over_http_respects_the_cursor():
    with LocalHttpServer(route) as server:
        ref = AccountRef(handle=f"{server.url}/mastodon.rss", external_id=f"{server.url}/mastodon.rss")
        first = RssConnector().fetch_new(ref, cursor=None, since=datetime(2026, 5, 25, tzinfo=UTC))
        assert len(first.posts) == 1
        again = RssConnector().fetch_new(ref, cursor=first.cursor, since=datetime(2020, 1, 1, tzinfo=UTC))
        assert [p.external_id for p in again.posts] == [first.posts[0].external_id]


@pytest.mark.parametrize(("path", "permanent", "message"), [
    ("/gone", True, "no longer exists (HTTP 404)"),
    ("/busy", False, "busy (HTTP 503)"),
    ("/page", True, "does not return an RSS or Atom feed"),
])
def test_feed_errors_follow_the_common_error_model(path, permanent, message):
    with LocalHttpServer(route) as server, pytest.raises(ConnectorError) as exc:
        RssConnector().resolve(AccountRef(handle=f"{server.url}{path}"))
    assert exc.value.permanent is permanent and message in exc.value.message
    if path == "/busy":
        assert exc.value.retry_after == 9
