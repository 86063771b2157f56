"""Verified affiliation: opt-in Bluesky handles on the organization's domain and
Mastodon-verifiable profile pages; revoked at once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from chorus.common.errors import Conflict, InvalidInput, PermissionDenied
from chorus.monitoring.models import LinkedAccount
from chorus.provisioning.models import VerifiedHandle
from chorus.provisioning.services import affiliation_request, affiliation_revoke

pytestmark = pytest.mark.django_db
DID = "did:plc:abcdefghijklmnopqrstuvwx"


@pytest.fixture(autouse=True)
def handle_hosts(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".northwind.example"]


def did_at(host: str):
    return Client().get("/.well-known/atproto-did", HTTP_HOST=host)


def test_nobody_has_a_handle_until_they_ask(scim_org, employee, employee2):
    assert not VerifiedHandle.objects.exists()
    assert did_at("employee.northwind.example").status_code == 404


def test_an_employee_asks_for_a_handle_and_sees_what_to_publish(scim_org, employee, client_for):
    page = client_for(employee).post("/provisioning/affiliation/", {
        "name": "Emery", "domain": "northwind.example", "did": DID})
    assert page.status_code == 302

    answer = did_at("emery.northwind.example")
    assert answer.status_code == 200 and answer.content.decode() == DID
    assert answer["Content-Type"].startswith("text/plain")
    assert did_at("other.northwind.example").status_code == 404
    shown = client_for(employee).get("/provisioning/affiliation/").content.decode()
    assert "_atproto.emery.northwind.example" in shown and f"did={DID}" in shown


def test_the_profile_page_links_only_proven_accounts_with_rel_me(scim_org, employee):
    record = affiliation_request(user=employee, profile_page=True)
    now = timezone.now()
    common = dict(organization=scim_org, person=employee.person, network="mastodon",
                  consented_at=now, read_from=now, consent_version="2026-12.1")
    LinkedAccount.objects.create(**common, handle="@e@mastodon.example", external_id="1",
                                 status="active", verified_at=now,
                                 profile_url="https://mastodon.example/@e")
    LinkedAccount.objects.create(**common, handle="@fake@mastodon.example", external_id="2",
                                 status="pending", profile_url="https://mastodon.example/@fake")

    page = Client().get(f"/people/{record.profile_slug}/").content.decode()
    assert '<a rel="me" href="https://mastodon.example/@e">' in page
    assert "@fake" not in page
    assert record.handle == ""


def test_revoking_makes_the_handle_and_page_404_at_once(scim_org, employee, admin):
    record = affiliation_request(user=employee, name="emery", domain="northwind.example", did=DID)
    affiliation_revoke(user=admin, affiliation_id=record.pk)

    assert did_at("emery.northwind.example").status_code == 404
    assert Client().get(f"/people/{record.profile_slug}/").status_code == 404
    # Free to be asked for again, by the same person or someone else.
    affiliation_request(user=employee, name="emery", domain="northwind.example", did=DID)


def test_bad_requests_are_refused_with_the_field(scim_org, employee, employee2, outsider):
    with pytest.raises(InvalidInput) as bad:
        affiliation_request(user=employee, name="-emery", domain="northwind.example", did=DID)
    assert bad.value.field == "name"
    with pytest.raises(InvalidInput) as bad:
        affiliation_request(user=employee, name="emery", domain="evil.example", did=DID)
    assert bad.value.field == "domain"
    with pytest.raises(InvalidInput) as bad:
        affiliation_request(user=employee, name="emery", domain="northwind.example",
                            did="did:plc:short")
    assert bad.value.field == "did"
    record = affiliation_request(user=employee, name="emery", domain="northwind.example",
                                 did=DID)
    with pytest.raises(Conflict):
        affiliation_request(user=employee2, name="emery", domain="northwind.example", did=DID)
    with pytest.raises(Conflict):
        affiliation_request(user=employee, name="emery2", domain="northwind.example", did=DID)
    from chorus.common.errors import NotFound

    with pytest.raises(NotFound):
        affiliation_revoke(user=outsider, affiliation_id=record.pk)
    with pytest.raises(NotFound):
        affiliation_revoke(user=employee2, affiliation_id=record.pk)
    employee.person.status = "leaver"
    employee.person.save()
    employee.refresh_from_db()
    with pytest.raises(PermissionDenied):
        affiliation_request(user=employee, profile_page=True)
