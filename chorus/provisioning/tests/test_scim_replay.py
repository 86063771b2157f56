"""Okta's and Microsoft Entra ID's documented SCIM request sequences (fixtures/*.json, each
naming its source), replayed end to end through the real views and bearer-token check."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from chorus.identity.sso.models import GroupRoleMapping
from chorus.people.models import Person, User
from chorus.provisioning.models import Offboarding, ScimUser

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


def _fill(value: Any, saved: dict[str, str]) -> Any:
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: saved.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [_fill(v, saved) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, saved) for k, v in value.items()}
    return value


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and _contains(actual[k], v) for k, v in expected.items())
    if isinstance(expected, list) and expected == []:
        return actual == []
    return actual == expected


def replay(scim, name: str) -> dict[str, str]:
    recording = json.loads((FIXTURES / name).read_text())
    assert recording["source"].startswith("https://")
    saved: dict[str, str] = {}
    for step in recording["steps"]:
        response = scim(step["method"], _fill(step["path"], saved), _fill(step.get("body"), saved))
        expect = _fill(step["expect"], saved)
        where = f"{name}: {step['name']}: {response.status_code} {response.body}"
        assert response.status_code == expect["status"], where
        if response.status_code != 204:
            assert response["Content-Type"].startswith("application/scim+json"), where
        if "json" in expect:
            assert _contains(response.body, expect["json"]), where
        for key in expect.get("absent", []):
            assert key not in response.body, where
        for key in expect.get("absent_in_resources", []):
            assert all(key not in r for r in response.body["Resources"]), where
        if "members" in expect:
            assert len(response.body.get("members", [])) == expect["members"], where
        for key, field in step.get("save", {}).items():
            saved[key] = response.body[field]
    return saved


def test_okta_sequence_provisions_maps_groups_to_roles_and_offboards(scim, scim_org):
    GroupRoleMapping.objects.create(organization=scim_org, group="Chorus HR", role="hr")

    saved = replay(scim, "okta.json")

    user = User.objects.get(email="test.user@northwind.example")
    person = Person.objects.get(user=user)
    assert user.organization == scim_org and not user.is_active
    assert person.full_name == "Another User" and person.status == Person.Status.LEAVER
    assert not user.has_usable_password()  # Okta's password was not kept
    offboarding = Offboarding.objects.get(person=person)
    assert offboarding.source == "scim" and offboarding.runs == 2
    assert offboarding.reactivated_at is None  # offboarded again after the reactivation
    second = User.objects.get(email="second.user@northwind.example")
    assert second.is_active and "hr" not in second.role_names
    assert ScimUser.objects.filter(scim_id=saved["user_id"]).exists()


def test_okta_group_push_grants_the_mapped_role(scim, scim_org):
    GroupRoleMapping.objects.create(organization=scim_org, group="Chorus HR", role="hr")
    replay_upto = json.loads((FIXTURES / "okta.json").read_text())
    saved: dict[str, str] = {}
    for step in replay_upto["steps"]:
        response = scim(step["method"], _fill(step["path"], saved), _fill(step.get("body"), saved))
        for key, field in step.get("save", {}).items():
            saved[key] = response.body[field]
        if step["name"] == "rename the group":
            break
    user = User.objects.get(email="test.user@northwind.example")
    assert "hr" in user.role_names
    second = User.objects.get(email="second.user@northwind.example")
    assert "hr" not in second.role_names  # removed from the group before the rename


def test_entra_sequence_updates_manager_department_and_deletes_by_offboarding(scim, scim_org):
    replay(scim, "entra.json")

    # The primary work address (changed by the filtered PATCH path) is the person's e-mail.
    person = Person.objects.get(email="updatedemail@northwind.example")
    assert person.department is not None and person.department.name == "People Operations"
    assert person.manager is not None and person.manager.email == "test_manager_7a2f@northwind.example"
    assert person.status == Person.Status.LEAVER and not person.user.is_active
    assert not ScimUser.objects.filter(person=person).exists()  # deleted in SCIM, kept in HR
    assert Offboarding.objects.get(person=person).source == "scim"
