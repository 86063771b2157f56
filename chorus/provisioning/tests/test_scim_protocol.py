"""SCIM protocol rules: bearer tokens, tenant isolation, filters, pagination, ETags and
error bodies for bad input (nothing written)."""

from __future__ import annotations

import pytest

from chorus.people.models import Person, User
from chorus.provisioning.models import ScimGroup, ScimToken, ScimUser
from chorus.provisioning.services import scim_token_revoke
from chorus.provisioning.tests.conftest import ScimClient, user_body

pytestmark = pytest.mark.django_db
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def created(scim, user_name="emery@northwind.example", **extra):
    response = scim("POST", "Users", user_body(user_name, **extra))
    assert response.status_code == 201, response.body
    return response.body


def assert_error(response, status, scim_type=None, says=""):
    assert response.status_code == status, response.body
    assert response["Content-Type"].startswith("application/scim+json")
    assert response.body["schemas"] == [ERROR] and response.body["status"] == str(status)
    if scim_type:
        assert response.body.get("scimType") == scim_type, response.body
    assert says in response.body["detail"], response.body["detail"]


def test_without_a_token_or_with_a_revoked_one_nothing_is_answered(scim, scim_org, admin):
    assert_error(ScimClient("")("GET", "Users"), 401, says="Bearer")
    assert ScimClient("")("GET", "Users")["WWW-Authenticate"].startswith("Bearer")
    assert_error(ScimClient("scim_not-a-real-token")("GET", "Users"), 401)
    scim_token_revoke(actor=admin, token_id=ScimToken.objects.get(organization=scim_org).pk)
    assert_error(scim("GET", "Users"), 401, says="revoked")


def test_a_token_of_another_organization_never_reads_or_writes_our_people(scim, other_scim):
    ours = created(scim)
    group = scim("POST", "Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                    "displayName": "Legal", "members": [{"value": ours["id"]}]}
                 ).body

    assert other_scim("GET", "Users").body["totalResults"] == 0
    assert other_scim("GET", 'Users?filter=userName eq "emery@northwind.example"'
                      ).body["totalResults"] == 0
    assert_error(other_scim("GET", f"Users/{ours['id']}"), 404)
    assert_error(other_scim("PUT", f"Users/{ours['id']}", user_body()), 404)
    assert_error(other_scim("PATCH", f"Users/{ours['id']}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": False}]}), 404)
    assert_error(other_scim("DELETE", f"Users/{ours['id']}"), 404)
    assert_error(other_scim("GET", f"Groups/{group['id']}"), 404)
    assert_error(other_scim("DELETE", f"Groups/{group['id']}"), 404)
    # Nor can it put our user into its own group, or provision an address of ours.
    assert_error(other_scim("POST", "Groups", {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Steal",
        "members": [{"value": ours["id"]}]}), 400, "invalidValue", "No User with id")
    assert_error(other_scim("POST", "Users", user_body("spy@northwind.example")), 400,
                 "invalidValue", "not on a verified domain")

    user = User.objects.get(email="emery@northwind.example")
    assert user.is_active and ScimGroup.objects.get(display_name="Legal").members.count() == 1


def test_filters_by_username_and_external_id_and_pages(scim):
    for n in range(5):
        created(scim, f"person{n}@northwind.example", externalId=f"ext-{n}")

    found = scim("GET", 'Users?filter=userName eq "PERSON3@northwind.example"').body
    assert found["totalResults"] == 1
    assert found["Resources"][0]["userName"] == "person3@northwind.example"
    assert scim("GET", 'Users?filter=externalId eq "ext-4"').body["totalResults"] == 1
    assert scim("GET", 'Users?filter=userName sw "person" and active eq true'
                ).body["totalResults"] == 5

    page = scim("GET", "Users?startIndex=2&count=2").body
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (5, 2, 2)
    assert [r["userName"] for r in page["Resources"]] == ["person1@northwind.example",
                                                          "person2@northwind.example"]
    assert scim("GET", "Users?count=0").body["Resources"] == []
    only = scim("GET", "Users?attributes=userName&count=1").body["Resources"][0]
    assert set(only) == {"schemas", "id", "meta", "userName"}


def test_bad_filters_are_invalid_filter_errors(scim):
    created(scim)
    assert_error(scim("GET", 'Users?filter=userName eq'), 400, "invalidFilter", "not valid")
    assert_error(scim("GET", 'Users?filter=favouriteColour eq "blue"'), 400, "invalidFilter",
                 "favouriteColour")
    assert_error(scim("GET", "Users?startIndex=abc"), 400, "invalidValue", "startIndex")


def test_malformed_json_unknown_attributes_and_bad_patches_write_nothing(scim):
    user = created(scim)
    before = ScimUser.objects.get(scim_id=user["id"]).document

    assert_error(scim("POST", "Users", raw=b'{"userName": '), 400, "invalidSyntax", "not valid JSON")
    assert_error(scim("POST", "Users", raw=b'["a list"]'), 400, "invalidSyntax", "JSON object")
    assert_error(scim("POST", "Users", user_body("new@northwind.example", favouriteColour="blue")),
                 400, "invalidSyntax", "favouriteColour")
    assert_error(scim("POST", "Users", {**user_body("new@northwind.example"),
                                        "schemas": ["urn:example:not-scim"]}), 400)
    assert_error(scim("POST", "Users", user_body("x@elsewhere.example")), 400, "invalidValue",
                 "verified domain")
    patch = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}
    assert_error(scim("PATCH", f"Users/{user['id']}", {**patch, "Operations": [
        {"op": "replace", "path": "displayName", "value": "Fine"},
        {"op": "replace", "path": "nosuch", "value": "x"}]}), 400, "invalidPath", "nosuch")
    assert_error(scim("PATCH", f"Users/{user['id']}", {**patch, "Operations": [
        {"op": "frobnicate", "path": "active", "value": True}]}), 400, says="frobnicate")
    assert_error(scim("PATCH", f"Users/{user['id']}", {**patch, "Operations": [
        {"op": "replace", "path": "id", "value": "mine"}]}), 400, "mutability")
    assert_error(scim("PATCH", f"Users/{user['id']}", {**patch}), 400, "invalidSyntax",
                 "Operations")

    assert ScimUser.objects.count() == 1
    assert ScimUser.objects.get(scim_id=user["id"]).document == before
    assert not Person.objects.filter(email="new@northwind.example").exists()


def test_duplicate_user_name_is_a_uniqueness_conflict(scim):
    created(scim)
    assert_error(scim("POST", "Users", user_body("EMERY@northwind.example")), 409, "uniqueness")


def test_etags_guard_against_lost_updates(scim):
    user = created(scim)
    response = scim("GET", f"Users/{user['id']}")
    assert response["ETag"] == 'W/"1"' == response.body["meta"]["version"]
    body = user_body(displayName="Emery L.")
    assert_error(scim("PUT", f"Users/{user['id']}", body, headers={"If-Match": 'W/"7"'}), 412)
    ok = scim("PUT", f"Users/{user['id']}", body, headers={"If-Match": 'W/"1"'})
    assert ok.status_code == 200 and ok["ETag"] == 'W/"2"'


def test_unknown_endpoints_and_methods_are_scim_errors(scim):
    assert_error(scim("GET", "Widgets"), 404, says="/scim/v2/Users")
    assert_error(scim("DELETE", "ServiceProviderConfig"), 405)
    assert_error(scim("GET", "Users/not-a-uuid"), 404)


def test_search_with_post(scim):
    created(scim)
    response = scim("POST", "Users/.search", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": 'userName eq "emery@northwind.example"', "attributes": ["userName"]})
    assert response.status_code == 200 and response.body["totalResults"] == 1
