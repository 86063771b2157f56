"""Data rights: the SCIM record and verified handles are exported and erased; the offboarding
record is kept with its reason."""

from __future__ import annotations

import pytest

from chorus.people.models import Person
from chorus.privacy.services import person_erase, person_export
from chorus.provisioning.models import ScimUser, VerifiedHandle
from chorus.provisioning.services import person_offboard
from chorus.provisioning.tests.conftest import user_body

pytestmark = pytest.mark.django_db


def test_export_and_erasure_cover_scim_and_handles(scim, hr):
    created = scim("POST", "Users", user_body()).body
    person = Person.objects.get(email="emery@northwind.example")
    VerifiedHandle.objects.create(organization=person.organization, person=person,
                                  handle="emery.northwind.example",
                                  did="did:plc:abcdefghijklmnopqrstuvwx", profile_slug="emery-1")
    person_offboard(person=person, actor=hr, reason="Left", source="hr")

    export = person_export(actor=hr, person=person, fmt="json")
    text = str(export.data if hasattr(export, "data") else export.__dict__)
    assert "emery.northwind.example" in text and created["id"] in text

    receipt = person_erase(actor=hr, person=person, confirm_name=person.full_name,
                           reason="Art. 17 request")
    assert not ScimUser.objects.filter(person=person).exists()
    assert not VerifiedHandle.objects.filter(person=person).exists()
    assert scim("GET", f"Users/{created['id']}").status_code == 404
    assert "offboarding record" in str(receipt.__dict__)
