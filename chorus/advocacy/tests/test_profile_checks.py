"""Profile checks of linked accounts against real local servers: a Mastodon server replaying
the recorded account lookup (Mastodon.py's cassette) and a Bluesky AppView serving the
recorded getProfile shape, changed by the tests the way an owner edits a profile."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.urls import reverse
from django.utils import timezone

from chorus.advocacy.models import ProfileCheck
from chorus.advocacy.profile_check import (
    CLAIMS_OFFICIAL,
    MISSING_AFFILIATION,
    MISSING_DISCLAIMER,
    ProfileFacts,
    ProfileRules,
    assess,
)
from chorus.advocacy.services.profile_checks import (
    profile_check_enable,
    profile_check_run,
    profile_checks_due,
)
from chorus.connectors.testing import LocalHttpServer
from chorus.monitoring.models import LinkedAccount
from chorus.monitoring.stream import JetstreamConsumer
from chorus.screening.policy import Policy

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbound_to_loopback")]
DATA = Path("/work/shared/data/connectors")
JSON = {"Content-Type": "application/json"}
DID = "did:plc:acmeemployee234567abcdef"


def _recorded_lookup() -> dict[str, Any]:
    data = yaml.safe_load((DATA / "mastodon/cassettes/test_account_lookup.yaml").read_text())
    for item in data["interactions"]:
        if item["request"]["uri"].endswith("lookup?acct=mastodonpy_test"):
            return json.loads(item["response"]["body"]["string"])
    raise AssertionError("recording changed")


class Network:
    """A server whose answers the test changes: the profile, or a failure mode."""

    def __init__(self, profile: dict[str, Any]) -> None:
        self.profile = profile
        self.mode = "ok"

    def route(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if self.mode == "gone":
            if "bsky" in path:
                return 400, JSON, b'{"error":"InvalidRequest","message":"Profile not found"}'
            return 404, JSON, b'{"error":"Record not found"}'
        if self.mode == "busy":
            return 429, {**JSON, "Retry-After": "120"}, b'{"error":"Too many requests"}'
        if path.endswith("/api/v1/accounts/lookup") and query.get("acct") == "mastodonpy_test":
            return 200, JSON, json.dumps(self.profile).encode()
        if path.endswith("app.bsky.actor.getProfile") and query.get("actor") == DID:
            return 200, JSON, json.dumps(self.profile).encode()
        return 404, JSON, b'{"error":"Record not found"}'


@pytest.fixture
def mastodon():
    net = Network(_recorded_lookup())
    with LocalHttpServer(net.route) as server:
        net.url = server.url  # type: ignore[attr-defined]
        yield net


@pytest.fixture
def bluesky(settings):
    appview = json.loads((DATA / "bluesky/synthetic_appview.json").read_text())
    net = Network(dict(appview["getProfile"][DID]))
    with LocalHttpServer(net.route) as server:
        settings.CONNECTOR_BLUESKY_APPVIEW_URL = server.url
        yield net


@pytest.fixture
def policy(monkeypatch):
    """A published-style policy that asks for a profile disclaimer."""

    def set_policy(org_name: str, disclaimer: str = "Views are my own.") -> None:
        value = Policy.from_dict(
            {
                "organization": {"name": org_name},
                "preset": "balanced",
                "disclosure": {"disclaimer": disclaimer},
            }
        )
        monkeypatch.setattr(
            "chorus.advocacy.services.profile_checks.screening_policy", lambda organization: value
        )

    return set_policy


def link(
    user, *, network: str, handle: str, external_id: str, instance: str = "", verified: bool = True
) -> LinkedAccount:
    now = timezone.now()
    return LinkedAccount.objects.create(
        organization=user.organization,
        person=user.person,
        network=network,
        handle=handle,
        instance=instance,
        external_id=external_id,
        status=LinkedAccount.Status.ACTIVE,
        consented_at=now,
        read_from=now,
        consent_version="test",
        verified_at=now if verified else None,
    )


def test_assessment_reads_disclaimer_claims_and_affiliation():
    rules = ProfileRules(
        organization_names=("Northwind",),
        disclaimer="Views are my own.",
        disclaimer_required=True,
        affiliation_required=True,
    )
    good = assess(ProfileFacts("Ana", "Engineer at Northwind. Views are my own."), rules)
    assert good.compliant and good.has_disclaimer and good.states_affiliation
    official = assess(ProfileFacts("Northwind", "Official Northwind account"), rules)
    assert official.claims_official and CLAIMS_OFFICIAL in official.problems
    negated = assess(
        ProfileFacts("Ana", "Not an official Northwind account. Meine Meinung."), rules
    )
    assert not negated.claims_official and negated.has_disclaimer
    bare = assess(ProfileFacts("Ana", "I like boats"), rules)
    assert set(bare.problems) == {MISSING_DISCLAIMER, MISSING_AFFILIATION}


def test_a_recorded_mastodon_profile_without_disclaimer_gets_a_suggestion(
    employee, mastodon, policy, client_for
):
    policy("Northwind")
    account = link(
        employee,
        network="mastodon",
        handle="@mastodonpy_test@localhost",
        external_id="117020565966271181",
        instance=mastodon.url,
    )
    check = profile_check_enable(user=employee, account_id=account.pk)

    check = profile_check_run(check_id=check.pk)

    assert check.status == ProfileCheck.Status.NEEDS_CHANGE
    assert check.display_name == "John Lennon" and "I walk funny" in check.bio
    assert ["bread", "toasty."] in check.fields
    assert check.problems == [MISSING_DISCLAIMER]
    page = client_for(employee).get(reverse("advocacy:profile-checks"))
    html = page.content.decode()
    assert "Suggested changes" in html and "does not include the disclaimer" in html
    # One click: the suggested bio is in a copyable box, within Mastodon's 500 characters.
    assert 'data-copy-target="bio-' in html and "Views are my own." in html

    # The owner edits the profile; "Check again" reads it anew.
    mastodon.profile["note"] = "<p>Engineer at Northwind. Views are my own.</p>"
    response = client_for(employee).post(
        reverse("advocacy:profile-check-action", args=[account.pk, "check"])
    )
    assert response.status_code == 302
    check = profile_check_run(check_id=check.pk)
    assert check.status == ProfileCheck.Status.OK and check.problems == []


def test_a_bluesky_profile_is_read_by_did_and_an_official_claim_is_flagged(
    employee, bluesky, policy
):
    policy("Acme")
    account = link(employee, network="bluesky", handle="jdoe.example.com", external_id=DID)
    check = profile_check_enable(user=employee, account_id=account.pk)
    assert profile_check_run(check_id=check.pk).status == ProfileCheck.Status.OK

    bluesky.profile["description"] = "Official Acme spokesperson."
    check = profile_check_run(check_id=check.pk)
    assert check.claims_official and CLAIMS_OFFICIAL in check.problems


def test_a_vanished_profile_and_a_busy_network_keep_the_last_result(employee, mastodon, policy):
    policy("Northwind")
    account = link(
        employee,
        network="mastodon",
        handle="@mastodonpy_test@localhost",
        external_id="117020565966271181",
        instance=mastodon.url,
    )
    check = profile_check_run(
        check_id=profile_check_enable(user=employee, account_id=account.pk).pk
    )
    mastodon.mode = "busy"
    before = timezone.now()
    check = profile_check_run(check_id=check.pk)
    assert check.status == ProfileCheck.Status.RATE_LIMITED
    assert "limiting how often" in check.last_error
    assert check.next_check_at >= before + timedelta(seconds=119)
    assert check.pk not in profile_checks_due()
    assert check.pk in profile_checks_due(now=before + timedelta(minutes=3))

    mastodon.mode = "gone"
    check = profile_check_run(check_id=check.pk)
    assert check.status == ProfileCheck.Status.VANISHED
    assert "has no such account" in check.last_error
    assert check.display_name == "John Lennon"  # the last good result is kept
    assert check.last_success_at is not None


def test_a_jetstream_profile_commit_queues_a_new_check(employee, bluesky, policy):
    policy("Acme")
    account = link(employee, network="bluesky", handle="jdoe.example.com", external_id=DID)
    check = profile_check_enable(user=employee, account_id=account.pk)
    ProfileCheck.objects.filter(pk=check.pk).update(
        next_check_at=timezone.now() + timedelta(days=1)
    )
    assert check.pk not in profile_checks_due()
    event = {
        "did": DID,
        "time_us": 1_780_000_000_000_000,
        "kind": "commit",
        "commit": {
            "rev": "x",
            "operation": "update",
            "collection": "app.bsky.actor.profile",
            "rkey": "self",
            "record": {"$type": "app.bsky.actor.profile", "displayName": "Jane"},
        },
    }
    identity = {
        "did": DID,
        "time_us": 1_780_000_000_000_001,
        "kind": "identity",
        "identity": {
            "did": DID,
            "handle": "jane.example.com",
            "seq": 1,
            "time": "2026-05-01T00:00:00Z",
        },
    }
    JetstreamConsumer(base_url="ws://unused").handle_batch(
        [json.dumps(event), json.dumps(identity)]
    )
    assert check.pk in profile_checks_due()


def test_unverified_other_peoples_and_other_orgs_accounts_cannot_be_checked(
    employee, employee2, outsider, client_for, mastodon
):
    unverified = link(
        employee, network="mastodon", handle="@a@localhost", external_id="1", verified=False
    )
    theirs = link(employee2, network="mastodon", handle="@b@localhost", external_id="2")
    response = client_for(employee).post(
        reverse("advocacy:profile-check-action", args=[unverified.pk, "enable"]), follow=True
    )
    assert "Prove that the account is yours" in response.content.decode()
    assert not ProfileCheck.objects.exists()
    for user in (employee, outsider):
        assert (
            client_for(user)
            .post(reverse("advocacy:profile-check-action", args=[theirs.pk, "enable"]))
            .status_code
            == 404
        )


def test_staff_see_counts_only_unless_allowed_and_shared(
    employee, comms, mastodon, policy, client_for
):
    policy("Northwind")
    account = link(
        employee,
        network="mastodon",
        handle="@mastodonpy_test@localhost",
        external_id="117020565966271181",
        instance=mastodon.url,
    )
    profile_check_run(check_id=profile_check_enable(user=employee, account_id=account.pk).pk)
    staff = client_for(comms)
    html = staff.get(reverse("advocacy:presence-manage")).content.decode()
    assert "0 of 1 checked profiles need no change" in html
    assert "mastodonpy_test" not in html and "I walk funny" not in html

    staff.post(reverse("advocacy:profile-detail-setting"), {"allowed": "1"})
    html = staff.get(reverse("advocacy:presence-manage")).content.decode()
    assert "Nobody chose to show their result" in html and "mastodonpy_test" not in html

    client_for(employee).post(reverse("advocacy:profile-check-action", args=[account.pk, "share"]))
    html = client_for(comms).get(reverse("advocacy:presence-manage")).content.decode()
    assert "@mastodonpy_test@localhost: Suggested changes" in html
    # Employees cannot change the staff setting.
    assert (
        client_for(employee)
        .post(reverse("advocacy:profile-detail-setting"), {"allowed": "0"})
        .status_code
        == 403
    )
