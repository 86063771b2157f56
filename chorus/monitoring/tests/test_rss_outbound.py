"""RSS accounts against a real feed server on 127.0.0.1 (issue 11): linking fetches nothing
in the request, proving ownership (issue 17) and every poll download the feed once, and
internal or unreachable addresses all give the same neutral message."""

from __future__ import annotations

from pathlib import Path

import pytest

from chorus.connectors.rss.adapter import UNREACHABLE
from chorus.connectors.testing import LocalHttpServer
from chorus.monitoring.consent import CONSENT_VERSION
from chorus.monitoring.models import LinkedAccount, Network
from chorus.monitoring.services import account_link, account_poll, account_verify
from chorus.monitoring.services.base import MonitoringError

pytestmark = pytest.mark.django_db

FEED = (Path(__file__).resolve().parents[2] / "connectors/rss/fixtures/mastodon_profile.rss"
        ).read_bytes()  # fmt: skip


SERVED: dict[str, bytes] = {}


def feed_route(path, query):
    return 200, {"Content-Type": "application/rss+xml"}, SERVED.get("feed", FEED)


@pytest.fixture(autouse=True)
def _plain_feed():
    SERVED.clear()
    yield
    SERVED.clear()


def link(user, handle: str) -> LinkedAccount:
    return account_link(user=user, network=Network.RSS, handle=handle, agreed=True,
                        consent_version=CONSENT_VERSION)  # fmt: skip


def with_code(account: LinkedAccount) -> None:
    """The owner puts the account's code in the feed's description."""
    SERVED["feed"] = FEED.replace(
        b"</description>", f" {account.verification_code}</description>".encode(), 1
    )


def test_linking_fetches_nothing_in_the_request_and_the_proof_and_first_read_download_once(
    employee, monitoring_on, outbound_to_loopback, django_capture_on_commit_callbacks
):
    with LocalHttpServer(feed_route) as server:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            account = link(employee, f"{server.url}/feed")
        assert server.requests == [] and callbacks == []  # nothing fetched, nothing queued
        assert account.status == LinkedAccount.Status.PENDING
        with_code(account)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            account_verify(user=employee, account=account)
        assert server.requests == ["/feed"]  # one download for title, description and entries
        for callback in callbacks:  # the enqueued first poll (TASK_BACKEND=immediate)
            callback()
        assert server.requests == ["/feed", "/feed"]
    account.refresh_from_db()
    assert account.status == LinkedAccount.Status.ACTIVE and account.last_read_at is not None


def test_a_poll_downloads_the_feed_once(employee, monitoring_on, outbound_to_loopback):
    with LocalHttpServer(feed_route) as server:
        account = link(employee, f"{server.url}/feed")
        with_code(account)
        account_verify(user=employee, account=account)
        server.requests.clear()
        outcome = account_poll(account_id=account.pk)
        assert outcome.ok
        assert server.requests == ["/feed"]
        account_poll(account_id=account.pk)
        assert server.requests == ["/feed", "/feed"]


@pytest.mark.parametrize("opt_in", [False, True])
def test_internal_and_unreachable_feeds_all_get_one_neutral_message(
    employee, monitoring_on, settings, opt_in
):
    if opt_in:  # the address is allowed, but nothing listens on it
        settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    with LocalHttpServer(feed_route) as server:
        handles = [
            f"{server.url}/feed" if not opt_in else "http://127.0.0.1:1/feed",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1:22/",
            "http://[::1]:8741/healthz",
        ]
        errors = []
        for handle in handles:
            account = link(employee, handle)
            with pytest.raises(MonitoringError) as exc:
                account_verify(user=employee, account=account, sleep=lambda seconds: None)
            account.refresh_from_db()
            errors.append((exc.value.message.startswith(UNREACHABLE), account.status))
        if not opt_in:
            assert server.requests == []  # the loopback server was never contacted
    assert errors == [(True, LinkedAccount.Status.PENDING)] * len(handles)


def test_the_api_links_an_internal_address_without_fetching_or_revealing_it(
    employee, monitoring_on, api_client, django_capture_on_commit_callbacks
):
    with LocalHttpServer(feed_route) as server:
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client(employee).post(
                "/api/v1/monitoring/accounts",
                {"network": "rss", "handle": f"{server.url}/feed", "agreed": True,
                 "consent_version": CONSENT_VERSION},
                content_type="application/json",
            )  # fmt: skip
        assert response.status_code == 201
        assert server.requests == []
        account = LinkedAccount.objects.get(pk=response.json()["id"])
        assert account.status == LinkedAccount.Status.PENDING
        proof = api_client(employee).post(f"/api/v1/monitoring/accounts/{account.pk}/verify")
        assert server.requests == []  # the internal address was refused, not contacted
    assert 400 <= proof.status_code < 500 and UNREACHABLE in proof.content.decode()
    assert "127.0.0.1" not in proof.content.decode()
    account.refresh_from_db()
    assert account.status == LinkedAccount.Status.PENDING


@pytest.mark.parametrize("handle", ["ftp://example.com/feed", "example.com/feed", "http://"])
def test_a_feed_address_of_the_wrong_shape_is_refused_at_once(employee, monitoring_on, handle):
    from chorus.monitoring.services.base import MonitoringError

    with pytest.raises(MonitoringError, match="full address") as exc:
        link(employee, handle)
    assert exc.value.field == "handle"


def test_read_now_fetches_in_the_worker_not_in_the_request(
    employee, monitoring_on, client_for, outbound_to_loopback, django_capture_on_commit_callbacks
):
    with LocalHttpServer(feed_route) as server:
        account = link(employee, f"{server.url}/feed")
        with_code(account)
        account_verify(user=employee, account=account)
        server.requests.clear()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client_for(employee).post(f"/monitoring/accounts/{account.pk}/refresh/")
        assert response.status_code == 302 and server.requests == []
        for callback in callbacks:
            callback()
        assert server.requests == ["/feed"]
