"""directory_upsert / directory_deactivate: where a directory's view of a person lands."""

from __future__ import annotations

import pytest

from chorus.audit.models import AuditEntry
from chorus.common.errors import Conflict, InvalidInput
from chorus.identity.directory import (
    DirectoryAttributes,
    directory_deactivate,
    directory_upsert,
)
from chorus.identity.sso.models import DirectoryLink, DirectoryProfile, GroupRoleMapping
from chorus.people.models import ApiToken, Person, User
from chorus.people.roles import Role

pytestmark = pytest.mark.django_db

SOURCE = "oidc:test"
LABEL = "Single sign-on (test IdP)"


@pytest.fixture
def domain_org(org):
    org.verified_domains = ["northwind-robotics.example", "northwind.example"]
    org.save(update_fields=["verified_domains"])
    return org


def upsert(org, **fields):
    fields.setdefault("email", "ada@northwind.example")
    return directory_upsert(organization=org, attributes=DirectoryAttributes(**fields),
                            source=SOURCE, actor_label=LABEL)


def test_a_new_person_gets_an_account_and_an_hr_record_with_department_and_manager(
        domain_org, manager):
    user = upsert(domain_org, given_name="Ada", family_name="Lovelace", department="Research",
                  manager_email=manager.email.upper(), location="London", title="Engineer",
                  preferred_language="en-GB", external_id="00u1", groups=("Everyone",))

    assert user.organization == domain_org
    assert (user.email, user.full_name, user.is_active) == ("ada@northwind.example",
                                                            "Ada Lovelace", True)
    assert not user.has_usable_password()
    assert user.role_names == {Role.EMPLOYEE}
    person = Person.objects.get(user=user)
    assert (person.department.name, person.manager, person.location, person.title) == (
        "Research", manager.person, "London", "Engineer")
    assert DirectoryLink.objects.get(user=user).external_id == "00u1"
    profile = DirectoryProfile.objects.get(user=user)
    assert (profile.preferred_language, profile.groups) == ("en-GB", ["Everyone"])
    entry = AuditEntry.objects.get(action="identity.directory_user_created")
    assert entry.actor_label == LABEL and entry.target_id == str(user.pk)


def test_an_existing_hr_record_without_account_is_linked_not_duplicated(domain_org, hr):
    from chorus.people.services import person_create

    record = person_create(organization=domain_org, full_name="Ada L", email="ada@northwind.example")

    user = upsert(domain_org, display_name="Ada Lovelace", department="Research")

    record.refresh_from_db()
    assert record.user == user
    assert record.full_name == "Ada Lovelace" and record.department.name == "Research"
    assert Person.objects.filter(organization=domain_org).count() == 2  # hr + ada


def test_the_external_id_follows_a_renamed_address(domain_org):
    user = upsert(domain_org, email="ada@northwind.example", external_id="00u1",
                  display_name="Ada")
    again = upsert(domain_org, email="ada.lovelace@northwind-robotics.example",
                   external_id="00u1", display_name="Ada")

    assert again.pk == user.pk
    assert again.email == "ada.lovelace@northwind-robotics.example"
    assert Person.objects.get(user=user).email == "ada.lovelace@northwind-robotics.example"
    assert User.objects.filter(organization=domain_org).count() == 1


def test_group_mapping_grants_and_takes_back_only_the_roles_it_manages(domain_org, admin):
    GroupRoleMapping.objects.create(organization=domain_org, group="Chorus-HR", role=Role.HR)
    GroupRoleMapping.objects.create(organization=domain_org, group="chorus-legal",
                                    role=Role.LEGAL)
    user = upsert(domain_org, groups=("chorus-hr", "Everyone"))
    assert user.role_names == {Role.EMPLOYEE, Role.HR}
    # An administrator grants the communications role by hand: no mapping manages it.
    from chorus.people.services import user_set_roles
    user_set_roles(user=user, roles=[*user.role_names, Role.COMMUNICATIONS], actor=admin)

    user = upsert(domain_org, groups=("CHORUS-LEGAL",))

    user = User.objects.get(pk=user.pk)
    assert user.role_names == {Role.EMPLOYEE, Role.LEGAL, Role.COMMUNICATIONS}
    change = AuditEntry.objects.filter(action="permissions.roles_changed",
                                       target_id=str(user.pk)).last()
    assert change.actor_label == LABEL
    assert change.data["before"] == ["communications", "employee", "hr"]
    assert change.data["after"] == ["communications", "employee", "legal"]


def test_no_group_claim_leaves_roles_alone(domain_org):
    GroupRoleMapping.objects.create(organization=domain_org, group="hr", role=Role.HR)
    user = upsert(domain_org, groups=("hr",))
    user = upsert(domain_org, groups=None)
    assert User.objects.get(pk=user.pk).role_names == {Role.EMPLOYEE, Role.HR}


def test_the_last_administrator_keeps_the_role_and_it_is_audited(domain_org):
    GroupRoleMapping.objects.create(organization=domain_org, group="admins", role=Role.ADMIN)
    user = upsert(domain_org, groups=("admins",))
    assert Role.ADMIN in user.role_names

    upsert(domain_org, groups=())

    assert Role.ADMIN in User.objects.get(pk=user.pk).role_names
    assert AuditEntry.objects.filter(action="identity.directory_admin_kept").exists()


def test_a_mapping_change_applies_at_the_next_upsert(domain_org):
    user = upsert(domain_org, groups=("comms",))
    assert user.role_names == {Role.EMPLOYEE}
    GroupRoleMapping.objects.create(organization=domain_org, group="comms",
                                    role=Role.COMMUNICATIONS)
    user = upsert(domain_org, groups=("comms",))
    assert User.objects.get(pk=user.pk).role_names == {Role.EMPLOYEE, Role.COMMUNICATIONS}


def test_an_unresolved_manager_is_kept_for_later_and_noted(domain_org):
    user = upsert(domain_org, manager_email="boss@northwind.example")
    assert Person.objects.get(user=user).manager is None
    entry = AuditEntry.objects.get(action="identity.directory_user_created")
    assert entry.data["manager_unresolved"] == "boss@northwind.example"


@pytest.mark.parametrize(("fields", "field"), [
    ({"email": "not an address"}, "email"),
    ({"email": ""}, "email"),
    ({"email": 42}, "email"),
    ({"manager_email": "boss-at-example"}, "manager_email"),
    ({"preferred_language": "english please"}, "preferred_language"),
    ({"groups": "admins"}, "groups"),
    ({"groups": ("ok", 7)}, "groups"),
    ({"department": "x" * 121}, "department"),
    ({"active": "false"}, "active"),
])
def test_bad_attributes_are_refused_naming_the_attribute_and_nothing_is_written(
        domain_org, fields, field):
    before = (User.objects.count(), Person.objects.count(), AuditEntry.objects.count())
    with pytest.raises(InvalidInput) as caught:
        upsert(domain_org, **fields)
    assert caught.value.field == field
    assert caught.value.message
    assert (User.objects.count(), Person.objects.count(), AuditEntry.objects.count()) == before


def test_an_address_outside_the_verified_domains_is_refused(domain_org):
    with pytest.raises(InvalidInput) as caught:
        upsert(domain_org, email="ada@gmail.example")
    assert "verified domain" in caught.value.message
    assert not User.objects.filter(email="ada@gmail.example").exists()


def test_a_directory_can_never_reach_another_organizations_account(domain_org, other_org,
                                                                   outsider):
    # Even if org A lists org B's domain, B's account is not A's to update.
    domain_org.verified_domains = [*domain_org.verified_domains, "globex.example"]
    domain_org.save(update_fields=["verified_domains"])
    with pytest.raises(Conflict):
        upsert(domain_org, email=outsider.email, display_name="Hijacked", groups=("admins",))
    outsider.refresh_from_db()
    assert outsider.full_name == "Outsider" and outsider.organization == other_org


def test_inactive_in_the_directory_deactivates_and_a_login_never_reactivates(domain_org):
    user = upsert(domain_org)
    ApiToken.objects.create(user=user, name="t", prefix="chorus_x", token_hash="h" * 64)

    upsert(domain_org, active=False)
    user.refresh_from_db()
    assert not user.is_active and user.session_epoch == 1
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    entry = AuditEntry.objects.get(action="permissions.user_deactivated")
    assert entry.actor_label == LABEL

    upsert(domain_org, active=True)
    assert not User.objects.get(pk=user.pk).is_active
    directory_upsert(organization=domain_org, attributes=DirectoryAttributes(
        email="ada@northwind.example"), source="scim", actor_label="SCIM", reactivate=True)
    assert User.objects.get(pk=user.pk).is_active


def test_directory_deactivate_keeps_the_last_administrator(domain_org, admin):
    with pytest.raises(Conflict):
        directory_deactivate(user=admin, source=SOURCE, actor_label=LABEL)
    admin.refresh_from_db()
    assert admin.is_active


def test_directory_data_is_exported_and_erased_with_the_person(domain_org):
    from chorus.identity import privacy

    user = upsert(domain_org, external_id="00u1", preferred_language="de", groups=("Everyone",))
    person = Person.objects.get(user=user)
    sections = privacy.export_person_data(person)
    assert sections and any(r.get("id at the directory") == "00u1" for r in sections[0].records)
    outcome = privacy.erase_person_data(person)
    assert dict(outcome.erased) == {"directory links": 1, "directory profile": 1}
    assert not DirectoryLink.objects.filter(user=user).exists()
