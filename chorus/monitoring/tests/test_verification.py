"""Consent that is really the owner's: a link proves ownership (a one-time code in the profile,
a post or the feed, or a rel="me" profile link) before anything is read; connector errors are
plain and promise no retry that is not scheduled; the consent sentence reads well without a
handle."""

from datetime import timedelta
from pathlib import Path

import pytest

from chorus.common.errors import Conflict
from chorus.connectors.base import ConnectorError, override_connector
from chorus.connectors.mastodon.adapter import MastodonConnector, profile_text
from chorus.connectors.testing import LocalHttpServer
from chorus.monitoring.consent import CONSENT_VERSION
from chorus.monitoring.models import IngestedPost, LinkedAccount, Network
from chorus.monitoring.selectors import pollable_account_ids, stream_dids
from chorus.monitoring.services import (
    MonitoringError,
    account_link,
    account_poll,
    account_verify,
    consent_text_for,
    ingest_posts,
)
from chorus.monitoring.tests.conftest import link_fake

pytestmark = pytest.mark.django_db
CONNECTORS = Path(__file__).resolve().parents[2] / "connectors"


def test_a_new_link_waits_for_proof_and_monitors_nothing(employee, monitoring_on, fake_net):
    account, profile = link_fake(employee, fake_net, verify=False)
    fake_net.publish(profile.external_id, "garbage after consent",
                     at=account.consented_at + timedelta(minutes=1))

    assert account.status == LinkedAccount.Status.PENDING and account.verified_at is None
    assert account.verification_code.startswith("chorus-")
    assert account.pk not in pollable_account_ids()
    outcome = account_poll(account_id=account.pk)
    assert not outcome.ok and "prove that this account is yours" in outcome.error
    assert "fetch_new" not in fake_net.calls
    # Even a batch handed straight to ingestion (the stream, a replay) stores nothing.
    ingest_posts(account_id=account.pk, posts=list(fake_net.posts[profile.external_id].values()),
                 cursor=None)
    assert not IngestedPost.objects.exists()


def test_an_unproven_bluesky_link_is_not_in_the_stream_filter(employee, monitoring_on):
    from chorus.connectors.fake.adapter import FakeConnector

    fake = FakeConnector()
    fake.add_account("did:plc:abc", external_id="did:plc:abc")
    with override_connector(Network.BLUESKY, fake):
        account = account_link(user=employee, network=Network.BLUESKY, handle="did:plc:abc",
                               agreed=True, consent_version=CONSENT_VERSION)
        assert stream_dids() == set()
        fake.set_bio("did:plc:abc", f"engineer {account.verification_code}")
        account_verify(user=employee, account=account)
    assert stream_dids() == {"did:plc:abc"}


def test_the_code_in_the_bio_proves_ownership_and_reading_starts_then(
    employee, monitoring_on, fake_net, django_capture_on_commit_callbacks
):
    account, profile = link_fake(employee, fake_net, verify=False)
    # After consent, before proof: under consent alone this would have been read.
    early = fake_net.publish(profile.external_id, "garbage before proof",
                             at=account.consented_at)
    fake_net.set_bio(profile.handle, f"Robots. {account.verification_code.lower()}")

    with django_capture_on_commit_callbacks(execute=True):
        account = account_verify(user=employee, account=account)

    assert account.status == LinkedAccount.Status.ACTIVE
    assert account.verification_method == LinkedAccount.Proof.PROFILE
    assert account.read_from == account.verified_at > early.published_at
    assert account.pk in pollable_account_ids()
    assert not IngestedPost.objects.filter(external_id=early.external_id).exists()


def test_the_code_in_a_recent_post_proves_ownership(employee, monitoring_on, fake_net):
    account, profile = link_fake(employee, fake_net, verify=False)
    fake_net.publish(profile.external_id, f"Verifying my account: {account.verification_code}")

    account = account_verify(user=employee, account=account)

    assert account.verification_method == LinkedAccount.Proof.POST


def test_without_the_code_nothing_changes_and_the_message_says_what_to_do(
    employee, monitoring_on, fake_net
):
    account, profile = link_fake(employee, fake_net, verify=False)
    fake_net.set_bio(profile.handle, "chorus-WRONGCODE")

    with pytest.raises(MonitoringError) as exc:
        account_verify(user=employee, account=account)

    assert account.verification_code in exc.value.message
    assert "check again" in exc.value.message
    account.refresh_from_db()
    assert account.verified_at is None and account.status == LinkedAccount.Status.PENDING


def test_someone_else_cannot_take_over_or_block_an_account(
    employee, employee2, monitoring_on, fake_net
):
    """Typing a colleague's handle gives a pending link that reads nothing and does not stop
    the owner; once the owner proves it, the impostor can never verify."""
    profile = fake_net.add_account("@emery@fake.example")
    impostor = account_link(user=employee2, network=Network.MASTODON, handle=profile.handle,
                            agreed=True, consent_version=CONSENT_VERSION)
    owner = account_link(user=employee, network=Network.MASTODON, handle=profile.handle,
                         agreed=True, consent_version=CONSENT_VERSION)
    fake_net.set_bio(profile.handle, owner.verification_code)

    account_verify(user=employee, account=owner)
    with pytest.raises(MonitoringError, match="did not find the code"):
        account_verify(user=employee2, account=impostor)
    # Even if the impostor's code appeared somehow, a proven link stays exclusive.
    fake_net.set_bio(profile.handle, f"{owner.verification_code} {impostor.verification_code}")
    with pytest.raises(Conflict, match="already linked and proven"):
        account_verify(user=employee2, account=impostor)


def test_only_the_owner_verifies_their_link(employee, employee2, monitoring_on, fake_net):
    from chorus.common.errors import NotFound

    account, _ = link_fake(employee, fake_net, verify=False)
    with pytest.raises(NotFound):
        account_verify(user=employee2, account=account)


def test_an_archive_upload_is_proof_by_upload(employee, monitoring_on):
    account = account_link(user=employee, network=Network.X_ARCHIVE, handle="@emery",
                           agreed=True, consent_version=CONSENT_VERSION)
    assert account.status == LinkedAccount.Status.ACTIVE
    assert account.verification_method == LinkedAccount.Proof.UPLOAD and account.is_monitored


def test_an_rss_feed_is_proven_by_the_code_in_the_feed(employee, monitoring_on,
                                                       outbound_to_loopback):
    from chorus.connectors.rss.adapter import RssConnector

    feed = (CONNECTORS / "rss/fixtures/mastodon_profile.rss").read_bytes()
    served = {"feed": feed}
    route = lambda p, q: (200, {"Content-Type": "application/rss+xml"}, served["feed"])  # noqa: E731
    with LocalHttpServer(route) as srv, override_connector(Network.RSS, RssConnector()):
        account = account_link(user=employee, network=Network.RSS, handle=f"{srv.url}/feed",
                               agreed=True, consent_version=CONSENT_VERSION)
        with pytest.raises(MonitoringError, match="feed's title, description or latest"):
            account_verify(user=employee, account=account)
        served["feed"] = feed.replace(b"</description>",
                                      f" {account.verification_code}</description>".encode(), 1)
        account = account_verify(user=employee, account=account)
    assert account.verification_method == LinkedAccount.Proof.FEED


def test_mastodon_profile_text_includes_the_note_fields_and_rel_me_links():
    text = profile_text({
        "note": "<p>I build robots</p>",
        "fields": [{"name": "Chorus", "value": '<a href="https://chorus.example/monitoring/'
                    'proof/chorus-ABCD2345/" rel="me nofollow">chorus.example/…</a>',
                    "verified_at": "2026-12-01T00:00:00Z"}],
    })
    assert "I build robots" in text and "proof/chorus-ABCD2345/" in text


def test_the_proof_page_links_back_with_rel_me_and_names_nobody(
    employee, monitoring_on, fake_net, client
):
    account, _ = link_fake(employee, fake_net, verify=False)
    LinkedAccount.objects.filter(pk=account.pk).update(profile_url="https://fake.example/@emery")

    page = client.get(f"/monitoring/proof/{account.verification_code}/")

    assert page.status_code == 200
    body = page.content.decode()
    assert '<link rel="me" href="https://fake.example/@emery">' in body
    assert employee.full_name not in body and employee.organization.name not in body
    assert client.get("/monitoring/proof/chorus-NOPE0000/").status_code == 404


def test_the_account_page_shows_the_code_and_checks_it(
    employee, monitoring_on, fake_net, client_for, django_capture_on_commit_callbacks
):
    account, profile = link_fake(employee, fake_net, verify=False)
    client = client_for(employee)
    page = client.get(f"/monitoring/accounts/{account.pk}/").content.decode()
    assert "Prove that this account is yours" in page and account.verification_code in page
    assert "Read now" not in page

    with django_capture_on_commit_callbacks(execute=True):  # the worker runs after commit
        client.post(f"/monitoring/accounts/{account.pk}/verify/")
    page = client.get(f"/monitoring/accounts/{account.pk}/").content.decode()
    assert "We did not find the code" in page and "Check again" in page

    fake_net.set_bio(profile.handle, account.verification_code)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/monitoring/accounts/{account.pk}/verify/")
    status = client.get(f"/monitoring/accounts/{account.pk}/verify/status/", HTTP_HX_REQUEST="true")
    assert status.status_code == 204 and status["HX-Refresh"] == "true"
    assert "is proven to be yours" in client.get(f"/monitoring/accounts/{account.pk}/").content.decode()


def test_check_now_never_reads_the_network_in_the_web_request(
    employee, monitoring_on, fake_net, client_for, django_capture_on_commit_callbacks
):
    from chorus.common.testing import enqueue_and_wait
    from chorus.monitoring.tasks import account_verify_task

    account, profile = link_fake(employee, fake_net, verify=False)
    fake_net.set_bio(profile.handle, account.verification_code)
    client = client_for(employee)
    calls_before = len(fake_net.calls)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page = client.post(f"/monitoring/accounts/{account.pk}/verify/", follow=True)
    assert len(fake_net.calls) == calls_before  # the request only queued the check
    body = page.content.decode()
    assert "Checking your account" in body and "verify/status/" in body and 'hx-trigger="every 2s"' in body
    assert len(callbacks) == 1
    assert "Checking your account" in client.get(
        f"/monitoring/accounts/{account.pk}/verify/status/").content.decode()

    enqueue_and_wait(account_verify_task, account_id=account.pk)  # the worker
    account.refresh_from_db()
    assert account.verified_at is not None and account.verify_requested_at is None
    assert enqueue_and_wait(account_verify_task, account_id=account.pk).return_value == "verified"


def test_another_organizations_account_cannot_be_verified(
    employee, outsider, monitoring_on, fake_net, client_for
):
    account, _ = link_fake(employee, fake_net, verify=False)
    assert client_for(outsider).post(
        f"/monitoring/accounts/{account.pk}/verify/").status_code == 404


def test_the_api_verifies_and_reports_the_proof(employee, monitoring_on, fake_net, api_client):
    account, profile = link_fake(employee, fake_net, verify=False)
    fake_net.set_bio(profile.handle, account.verification_code)
    response = api_client(employee).post(f"/api/v1/monitoring/accounts/{account.pk}/verify")
    assert response.status_code == 200
    assert response.json()["verification_method"] == "profile"


# ---------------------------------------------------------------- consent wording


def test_the_consent_sentence_reads_well_before_and_after_a_handle(org, monitoring_on):
    empty = consent_text_for(organization=org, network="mastodon", handle="")
    first = empty.splitlines()[0]
    assert first.startswith(f"I agree that {org.name} reads the public posts of the Mastodon "
                            "account I enter above that are published after I prove")
    assert "(the account you enter)" not in empty and "— account" not in empty

    filled = consent_text_for(organization=org, network="mastodon", handle="@emery@fake.example")
    assert "the public posts of my Mastodon account @emery@fake.example that are" in filled


def test_the_link_page_gives_the_script_both_forms_of_the_account_name(
    employee, monitoring_on, client_for
):
    page = client_for(employee).get("/monitoring/link/bluesky/").content.decode()
    assert 'data-with="my Bluesky account {handle}"' in page
    assert 'data-without="the Bluesky account I enter above"' in page
    assert "monitoring/consent.js" in page and "<script>" not in page


# ---------------------------------------------------------------- connector errors


def test_an_unreachable_server_says_so_plainly_and_promises_no_retry(
    employee, monitoring_on, client_for
):
    # Port 9 on loopback: nothing listens, so the connection is refused at once.
    with override_connector(Network.MASTODON, MastodonConnector(timeout=2)):
        response = client_for(employee).post("/monitoring/link/mastodon/", {
            "handle": "@emery@127.0.0.1:9", "agreed": "on", "consent_version": CONSENT_VERSION})
    body = response.content.decode()
    assert "We could not reach this Mastodon server" in body and "Nothing was saved." in body
    for raw in ("HTTPConnectionPool", "Max retries", "Errno", "we will retry"):
        assert raw not in body
    assert not LinkedAccount.objects.exists()


@pytest.mark.parametrize("exc_name", [
    "MastodonNetworkError", "MastodonServerError", "MastodonRatelimitError",
    "MastodonNotFoundError", "MastodonUnauthorizedError", "MastodonAPIError", "MastodonError",
    "MastodonIllegalArgumentError", "MastodonVersionError",
])
def test_every_mastodon_error_class_becomes_a_plain_message(exc_name):
    from mastodon import errors

    cls = getattr(errors, exc_name)
    raw = "HTTPSConnectionPool(host='x', port=443): Max retries exceeded NameResolutionError("

    def fail():
        raise cls(raw, 500 if exc_name == "MastodonAPIError" else None)

    with pytest.raises(ConnectorError) as caught:
        MastodonConnector()._call(fail, server="social.example")
    message = caught.value.message
    assert "social.example" in message and raw[:20] not in message
    assert "retry" not in message and "try again shortly" not in message


@pytest.mark.parametrize("exc_name", [
    "NetworkError", "InvokeTimeoutError", "UnauthorizedError", "BadRequestError",
    "RequestException", "RateLimitExceededError", "AtProtocolError",
])
def test_every_bluesky_error_class_becomes_a_plain_message(exc_name):
    from atproto_client import exceptions as at_exc

    from chorus.connectors.bluesky.adapter import BlueskyConnector

    cls = getattr(at_exc, exc_name)

    def fail():
        raise cls("httpx.ConnectError: [Errno -2] Name or service not known")

    with pytest.raises(ConnectorError) as caught:
        BlueskyConnector()._call(fail)
    message = caught.value.message
    assert "Errno" not in message and "httpx" not in message and "retry" not in message
    assert message.endswith(".")
