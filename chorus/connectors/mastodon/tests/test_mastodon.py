"""The Mastodon adapter against real recorded responses (cassettes replayed on loopback) and
against mastodon-mock, a real Mastodon-API server started on localhost."""

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from chorus.connectors.base import AccountRef, ConnectorError, call_with_retries
from chorus.connectors.mastodon.adapter import MastodonConnector, parse_handle, status_to_post
from chorus.connectors.testing import LocalHttpServer, cassette_route

# These tests read from servers on 127.0.0.1, which the outbound guard refuses by default.
pytestmark = pytest.mark.usefixtures("outbound_to_loopback")

CASSETTE = Path(__file__).resolve().parent.parent / "fixtures" / "cassette_statuses.yaml"
ACCOUNT_ID = "117020565966271181"
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


@pytest.fixture
def recorded():
    with LocalHttpServer(cassette_route(CASSETTE)) as server:
        yield server


def test_handles_name_their_server():
    assert parse_handle("@jdoe@social.example") == ("jdoe", "https://social.example")
    assert parse_handle("jdoe", "http://127.0.0.1:3000/") == ("jdoe", "http://127.0.0.1:3000")
    with pytest.raises(ConnectorError, match="full handle") as exc:
        parse_handle("jdoe")
    assert exc.value.permanent


def test_resolve_reads_a_real_account_lookup(recorded):
    profile = MastodonConnector().resolve(AccountRef(handle="@mastodonpy_test@localhost",
                                                     instance=recorded.url))
    assert profile.external_id == ACCOUNT_ID
    assert profile.display_name == "John Lennon"
    # The note and profile fields, as plain text: where an ownership code can be placed.
    assert "I walk funny" in profile.bio and "bread: toasty." in profile.bio


def test_an_unknown_account_is_a_permanent_error(recorded):
    with pytest.raises(ConnectorError) as exc:
        MastodonConnector().resolve(AccountRef(handle="kljadklajsdkljlkjlkjlkjasdasd",
                                               instance=recorded.url))
    assert exc.value.permanent and exc.value.status == 404
    assert "has no such account" in exc.value.message


def test_min_id_paging_returns_newer_posts_oldest_first_as_plain_text(recorded):
    ref = AccountRef(handle="mastodonpy_test", instance=recorded.url, external_id=ACCOUNT_ID)

    page = MastodonConnector().fetch_new(ref, cursor="117020580481736214", since=LONG_AGO)

    ids = [p.external_id for p in page.posts]
    assert len(ids) == 5 and ids == sorted(ids, key=lambda i: (len(i), i))
    assert page.cursor == ids[-1]
    assert all("<" not in p.text and p.text for p in page.posts)
    assert any("min_id=117020580481736214" in r for r in recorded.requests)
    # It kept paging forward from the newest id until the server had nothing newer.
    assert any(f"min_id={ids[-1]}" in r for r in recorded.requests)


def test_real_hashtag_html_becomes_readable_text(recorded):
    import requests

    statuses = requests.get(f"{recorded.url}/api/v1/timelines/tag/hoot", timeout=5).json()
    post = status_to_post(statuses[0])
    assert post.text == "#hoot (hashtag toot)"
    assert post.published_at == datetime(2026, 8, 1, 13, 55, 55, 867000, tzinfo=UTC)


# ---------------------------------------------------------------- against mastodon-mock

mock = pytest.importorskip("mastodon_mock.testing")


@pytest.fixture(scope="module")
def server():
    from mastodon_mock.config import SeedAccount, SeedConfig

    seed = SeedConfig(accounts=[SeedAccount(username="jdoe", access_token="jdoe_token")])
    with mock.MockServer(seed=seed) as srv:
        yield srv


@pytest.fixture
def jdoe(server):
    httpx.post(f"{server.base_url}/api/v1/_mock/reset")  # MockServer.reset needs httpx2
    client = server.client("jdoe")
    profile = MastodonConnector().resolve(AccountRef(handle="@jdoe@mock", instance=server.base_url))
    return client, AccountRef(handle="@jdoe@mock", instance=server.base_url,
                              external_id=profile.external_id)


def test_a_burst_larger_than_one_page_is_read_without_gaps(jdoe):
    client, ref = jdoe
    first = client.status_post("post 0")
    for n in range(1, 46):
        client.status_post(f"post {n}")

    page = MastodonConnector().fetch_new(ref, cursor=str(first["id"]), since=LONG_AGO)

    assert [p.text for p in page.posts] == [f"post {n}" for n in range(1, 46)]
    again = MastodonConnector().fetch_new(ref, cursor=page.cursor, since=LONG_AGO)
    assert again.posts == [] and again.cursor is None


def test_first_read_keeps_only_posts_since_consent(jdoe):
    client, ref = jdoe
    client.status_post("before")
    consent = datetime.now(UTC)
    client.status_post("after")
    page = MastodonConnector().fetch_new(ref, cursor=None, since=consent)
    assert [p.text for p in page.posts] == ["after"]


def test_edits_and_deletions_show_in_the_recent_page(jdoe):
    client, ref = jdoe
    keep = client.status_post("original")
    gone = client.status_post("to delete")
    client.status_update(keep["id"], status="edited")
    client.status_delete(gone["id"])

    recent = MastodonConnector().fetch_recent(ref)

    assert [(p.text, p.edited_at is not None) for p in recent] == [("edited", True)]


def test_rate_limit_honours_retry_after(jdoe, server):
    _, ref = jdoe
    httpx.post(f"{server.base_url}/api/v1/_mock/faults", json={
        "match": {"path": f"/api/v1/accounts/{ref.external_id}/statuses"},
        "effect": {"type": "ratelimit", "headers": {"Retry-After": "7"}}, "count": 1})
    slept = []

    posts = call_with_retries(lambda: MastodonConnector().fetch_recent(ref), sleep=slept.append)

    assert posts == [] and len(slept) == 1 and 7 <= slept[0] < 8


def test_server_errors_are_transient_and_retried(jdoe, server):
    _, ref = jdoe
    httpx.post(f"{server.base_url}/api/v1/_mock/faults", json={
        "match": {"path": f"/api/v1/accounts/{ref.external_id}/statuses"},
        "effect": {"type": "status", "status": 503}, "count": 2})
    slept = []
    call_with_retries(lambda: MastodonConnector().fetch_recent(ref), sleep=slept.append)
    assert len(slept) == 2


def test_a_deleted_account_is_permanent(server):
    with pytest.raises(ConnectorError) as exc:
        MastodonConnector().resolve(AccountRef(handle="@ghost@mock", instance=server.base_url))
    assert exc.value.permanent
