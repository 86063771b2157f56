"""/api/v1/provisioning: offboarding summaries (HR, own organization) and affiliation."""

from __future__ import annotations

import pytest

from chorus.provisioning.services import person_offboard

pytestmark = pytest.mark.django_db
DID = "did:plc:abcdefghijklmnopqrstuvwx"


def test_affiliation_through_the_api(scim_org, employee, api_client):
    client = api_client(employee)
    assert client.get("/api/v1/provisioning/affiliation").status_code == 404
    bad = client.post("/api/v1/provisioning/affiliation",
                      {"name": "emery", "domain": "evil.example", "did": DID},
                      content_type="application/json")
    assert bad.status_code == 422 and "verified domains" in bad.json()["detail"]
    made = client.post("/api/v1/provisioning/affiliation",
                       {"name": "emery", "domain": "northwind.example", "did": DID},
                       content_type="application/json")
    assert made.status_code == 201
    assert made.json()["dns_name"] == "_atproto.emery.northwind.example"
    revoked = client.post(f"/api/v1/provisioning/affiliation/{made.json()['id']}/revoke")
    assert revoked.status_code == 200


def test_offboarding_summary_is_for_hr_of_the_same_organization(scim_org, employee, hr,
                                                                outsider, api_client):
    person_offboard(person=employee.person, actor=hr, reason="Left", source="hr")
    ok = api_client(hr).get(f"/api/v1/provisioning/offboardings/{employee.person.pk}")
    assert ok.status_code == 200 and ok.json()["source"] == "hr"
    assert {s["key"] for s in ok.json()["steps"]} >= {"accounts.deactivated",
                                                        "monitoring.consent_ended"}
    assert api_client(outsider).get(
        f"/api/v1/provisioning/offboardings/{employee.person.pk}").status_code == 404
