from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.common.errors import Conflict, InvalidInput, NotFound
from chorus.monitoring.consent import CONSENT_VERSION, text_sha256
from chorus.monitoring.models import ConsentRecord, IngestedPost, LinkedAccount, Network
from chorus.monitoring.services import (
    account_link,
    account_poll,
    account_revoke,
    consent_text_for,
    monitoring_purge,
    settings_update,
)
from chorus.monitoring.tests.conftest import link_fake
from chorus.people.services import organization_create
from conftest import make_member

pytestmark = pytest.mark.django_db


def test_nothing_is_linked_without_ticking_consent(employee, monitoring_on, fake_net):
    fake_net.add_account("@emery@fake.example")
    with pytest.raises(InvalidInput) as exc:
        account_link(user=employee, network=Network.MASTODON, handle="@emery@fake.example",
                     agreed=False, consent_version=CONSENT_VERSION)
    assert exc.value.field == "agreed"
    assert not LinkedAccount.objects.exists()


def test_stale_consent_version_must_be_read_again(employee, monitoring_on, fake_net):
    fake_net.add_account("@emery@fake.example")
    with pytest.raises(InvalidInput, match="consent text changed"):
        account_link(user=employee, network=Network.MASTODON, handle="@emery@fake.example",
                     agreed=True, consent_version="2020-01.1")


def test_linking_records_the_exact_consent_text_and_version(employee, monitoring_on, fake_net):
    account, _ = link_fake(employee, fake_net)

    record = ConsentRecord.objects.get(account=account)
    assert record.action == ConsentRecord.Action.GRANTED
    assert record.version == CONSENT_VERSION == account.consent_version
    assert "@emery@fake.example" in record.text and "30 days" in record.text
    assert "what is read" not in record.text  # the real text, not a placeholder
    assert record.text_sha256 == text_sha256(record.text)
    # Reading starts when ownership was proven, never earlier.
    assert account.read_from == account.verified_at >= account.consented_at


def test_consent_records_are_append_only(employee, monitoring_on, fake_net):
    account, _ = link_fake(employee, fake_net)
    record = ConsentRecord.objects.get(account=account)
    record.text = "I agree to everything"
    with pytest.raises(ValueError, match="append-only"):
        record.save()


def test_a_network_must_be_enabled_by_an_admin(employee, org, admin, fake_net):
    fake_net.add_account("@emery@fake.example")
    with pytest.raises(InvalidInput, match="not enabled"):
        account_link(user=employee, network=Network.MASTODON, handle="@emery@fake.example",
                     agreed=True, consent_version=CONSENT_VERSION)


def test_eu_organizations_need_a_dpia_and_german_ones_a_works_council_agreement(db):
    org = organization_create(name="Hanse Robotik", jurisdictions=["EU", "DE"])
    admin = make_member(org=org, key="boss", roles=["admin"])
    with pytest.raises(InvalidInput) as exc:
        settings_update(organization=org, actor=admin, enabled_networks=["mastodon"],
                        alert_threshold="medium", retention_days=30, escalate_after=3)
    assert exc.value.field == "dpia_reference"
    with pytest.raises(InvalidInput) as exc:
        settings_update(organization=org, actor=admin, enabled_networks=["mastodon"],
                        alert_threshold="medium", retention_days=30, escalate_after=3,
                        dpia_reference="DPIA-7")
    assert exc.value.field == "works_council_reference"
    settings_update(organization=org, actor=admin, enabled_networks=["mastodon"],
                    alert_threshold="medium", retention_days=30, escalate_after=3,
                    dpia_reference="DPIA-7", works_council_reference="BV 2026/1")

    text = consent_text_for(organization=org, network="mastodon", handle="@a@b.example")
    assert "For employees in the EU" in text
    assert "DPIA-7" in text and "BV 2026/1" in text
    assert "no consequence for your job" in text


def test_consent_text_outside_the_eu_has_no_eu_notes(org, monitoring_on):
    text = consent_text_for(organization=org, network="bluesky", handle="emery.bsky.social")
    assert "For employees in the EU" not in text
    assert "never likes, follows or messages" in text


def test_the_same_account_cannot_be_linked_twice(employee, employee2, monitoring_on, fake_net):
    link_fake(employee, fake_net)
    with pytest.raises(Conflict):
        account_link(user=employee2, network=Network.MASTODON, handle="@emery@fake.example",
                     agreed=True, consent_version=CONSENT_VERSION)


def test_only_posts_published_after_consent_are_stored(employee, monitoring_on, fake_net):
    account, profile = link_fake(employee, fake_net)
    fake_net.publish(profile.external_id, "before consent",
                     at=account.consented_at - timedelta(minutes=5))
    fake_net.publish(profile.external_id, "after consent",
                     at=account.consented_at + timedelta(minutes=5))

    account_poll(account_id=account.pk)

    assert list(IngestedPost.objects.values_list("text", flat=True)) == ["after consent"]


def test_revoking_stops_reading_at_once(employee, monitoring_on, fake_net):
    account, profile = link_fake(employee, fake_net)
    account_revoke(user=employee, account=account)
    fake_net.publish(profile.external_id, "after revoke")
    calls_before = len(fake_net.calls)

    account_poll(account_id=account.pk)

    assert len(fake_net.calls) == calls_before  # the network is not even asked
    assert not IngestedPost.objects.exists()
    records = list(ConsentRecord.objects.filter(account=account).values_list("action", flat=True))
    assert records == ["granted", "revoked"]


def test_revoked_posts_are_deleted_after_the_retention_period(employee, monitoring_on, fake_net):
    account, profile = link_fake(employee, fake_net)
    fake_net.publish(profile.external_id, "kept until purge")
    account_poll(account_id=account.pk)
    account = account_revoke(user=employee, account=account)
    assert account.purge_after.date() == (timezone.now() + timedelta(days=30)).date()

    monitoring_purge(now=timezone.now() + timedelta(days=29))
    assert IngestedPost.objects.count() == 1

    result = monitoring_purge(now=timezone.now() + timedelta(days=31))
    assert (result.accounts_purged, IngestedPost.objects.count()) == (1, 0)
    account.refresh_from_db()
    assert account.purged_at is not None


def test_only_the_owner_can_withdraw_consent(employee, employee2, monitoring_on, fake_net):
    account, _ = link_fake(employee, fake_net)
    with pytest.raises(NotFound):
        account_revoke(user=employee2, account=account)


def test_a_revoked_account_can_be_linked_again_with_new_consent(employee, monitoring_on,
                                                                  fake_net):
    account, _ = link_fake(employee, fake_net)
    account_revoke(user=employee, account=account)
    again = account_link(user=employee, network=Network.MASTODON, handle="@emery@fake.example",
                         agreed=True, consent_version=CONSENT_VERSION)
    assert again.pk != account.pk
    assert ConsentRecord.objects.filter(account=again, action="granted").count() == 1
