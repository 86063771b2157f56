import pytest

from chorus.monitoring.consent import CONSENT_VERSION
from chorus.monitoring.models import LinkedAccount
from chorus.monitoring.services import account_poll
from chorus.monitoring.tests.conftest import link_fake

pytestmark = pytest.mark.django_db


def test_link_list_and_revoke_through_the_api(employee, monitoring_on, fake_net, api_client):
    fake_net.add_account("@emery@fake.example")
    client = api_client(employee)
    consent = client.get("/api/v1/monitoring/consent?network=mastodon&handle=@emery@fake.example")
    assert consent.json()["version"] == CONSENT_VERSION

    refused = client.post("/api/v1/monitoring/accounts", {
        "network": "mastodon", "handle": "@emery@fake.example", "agreed": False,
        "consent_version": CONSENT_VERSION}, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["field"] == "agreed"

    created = client.post("/api/v1/monitoring/accounts", {
        "network": "mastodon", "handle": "@emery@fake.example", "agreed": True,
        "consent_version": CONSENT_VERSION}, content_type="application/json")
    assert created.status_code == 201
    account_id = created.json()["id"]
    assert [a["id"] for a in client.get("/api/v1/monitoring/accounts").json()] == [account_id]

    revoked = client.post(f"/api/v1/monitoring/accounts/{account_id}/revoke")
    assert revoked.json()["status"] == "revoked" and revoked.json()["purge_after"]


def test_accounts_and_alerts_are_scoped_to_their_owner(employee, employee2, outsider,
                                                       monitoring_on, fake_net, api_client):
    account, profile = link_fake(employee, fake_net)
    fake_net.publish(profile.external_id, "Initech is garbage")
    account_poll(account_id=account.pk)

    mine = api_client(employee).get("/api/v1/monitoring/alerts").json()
    assert len(mine) == 1 and mine[0]["findings"][0]["suggestion"] == "Remove garbage."
    for other in (employee2, outsider):
        client = api_client(other)
        assert client.get("/api/v1/monitoring/alerts").json() == []
        assert client.get("/api/v1/monitoring/accounts").json() == []
        assert client.post(f"/api/v1/monitoring/accounts/{account.pk}/revoke").status_code == 404
        alert_id = mine[0]["id"]
        assert client.post(f"/api/v1/monitoring/alerts/{alert_id}/acknowledge").status_code == 404
    assert LinkedAccount.objects.get().status == "active"


def test_health_is_for_hr_and_has_no_content(hr, employee, outsider, monitoring_on, fake_net,
                                             api_client):
    link_fake(employee, fake_net)
    assert api_client(employee).get("/api/v1/monitoring/health").status_code == 403
    rows = api_client(hr).get("/api/v1/monitoring/health").json()
    assert [r["handle"] for r in rows] == ["@emery@fake.example"]
    assert set(rows[0]) == {"id", "person", "network", "handle", "status", "last_read_at",
                            "last_error"}
    assert api_client(outsider).get("/api/v1/monitoring/health").json() == []
