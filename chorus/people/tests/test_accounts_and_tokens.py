import pytest

from chorus.audit.models import AuditEntry
from chorus.common.errors import InvalidInput
from chorus.people.models import ApiToken
from chorus.people.selectors import person_list_for
from chorus.people.services import api_token_authenticate, api_token_create, user_set_roles

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_hashed_and_shown_once(employee):
    token, raw = api_token_create(user=employee, name="laptop")
    assert raw.startswith("chorus_")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64
    assert api_token_authenticate(raw) == employee


def test_a_revoked_token_no_longer_authenticates_the_api(client_for, api_client, employee):
    client = api_client(employee)
    assert client.get("/api/v1/me").json()["email"] == employee.email
    token = ApiToken.objects.get(user=employee)
    client_for(employee).post(f"/account/tokens/{token.pk}/revoke/")
    assert client.get("/api/v1/me").status_code == 401


def test_the_account_page_shows_the_new_secret_once(client_for, employee):
    response = client_for(employee).post("/account/", {"name": "ci"})
    assert b"Copy your new token now" in response.content
    assert b"Copy your new token now" not in client_for(employee).get("/account/").content


def test_a_token_needs_a_name(employee):
    with pytest.raises(InvalidInput) as err:
        api_token_create(user=employee, name="  ")
    assert err.value.field == "name"


def test_api_without_credentials_is_refused(client, db):
    assert client.get("/api/v1/me").status_code == 401


def test_role_changes_are_audited_and_unknown_roles_refused(admin, employee):
    user_set_roles(user=employee, roles=["employee", "manager"], actor=admin)
    entry = AuditEntry.objects.filter(action="permissions.roles_changed").order_by("-seq").first()
    assert entry.data["after"] == ["employee", "manager"]
    with pytest.raises(InvalidInput, match="Unknown role"):
        user_set_roles(user=employee, roles=["superhero"], actor=admin)


def test_people_lists_are_scoped_by_organization_and_role(
    hr, manager, employee, employee2, outsider
):
    assert set(person_list_for(user=hr)) >= {employee.person, employee2.person}
    assert outsider.person not in person_list_for(user=hr)
    assert set(person_list_for(user=manager)) == {manager.person, employee.person}
    assert list(person_list_for(user=employee2)) == [employee2.person]


def test_roles_are_groups_and_admin_holds_every_role(admin, employee):
    assert admin.has_role("hr") and admin.has_role("legal")
    assert employee.has_role("employee") and not employee.has_role("hr")


def test_a_manager_sees_the_whole_reporting_tree_in_one_query(org, manager, employee,
                                                              django_assert_num_queries):
    """Issue 13: the team is walked by one recursive query, however deep the tree."""
    from chorus.people.models import Person
    from chorus.people.selectors import person_in_team, person_list_for, person_team_ids

    boss = employee.person
    below = []
    for depth in range(6):
        boss = Person.objects.create(organization=org, full_name=f"Level {depth}",
                                     email=f"level{depth}@x.example", manager=boss)
        below.append(boss.pk)
    # A cycle in bad HR data ends the walk instead of looping.
    Person.objects.filter(pk=manager.person.pk).update(manager=boss)
    with django_assert_num_queries(1):
        team = person_team_ids(person=manager.person)
    assert set(team) == {employee.person.pk, *below}
    people = person_list_for(user=manager).values_list("pk", flat=True)
    with django_assert_num_queries(1):
        visible = set(people)
    assert visible == {manager.person.pk, employee.person.pk, *below}
    assert person_in_team(person=manager.person, member_id=below[-1])
    assert not person_in_team(person=employee.person, member_id=manager.person.pk + 10_000)
