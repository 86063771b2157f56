"""Admin → Single sign-on and /api/v1/identity/sso: configuration, test connection (claims
shown), mappings, enforcement with a break-glass administrator; admins only, org-scoped."""

from __future__ import annotations

import pytest

from chorus.audit.models import AuditEntry
from chorus.identity.sso.models import GroupRoleMapping, IdentityProvider
from chorus.identity.tests.conftest import (
    NORTHWIND_CLIENT,
    PASSWORD,
    configure_oidc,
    idp_sign_in,
    local,
)
from chorus.people.models import User
from chorus.people.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbound_to_loopback")]

PAGE = "/identity/sso/"
MEMBER_PASSWORD = "correct-horse-battery-staple"  # the root conftest's cast
SECRET = NORTHWIND_CLIENT[1]


def test_the_settings_page_is_for_administrators_only(client_for, admin, employee):
    assert client_for(employee).get(PAGE).status_code == 403
    page = client_for(admin).get(PAGE)
    assert page.status_code == 200
    body = page.content.decode()
    assert "/sso/oidc/northwind-robotics/callback/" in body
    assert "/sso/saml/northwind-robotics/acs/" in body


def test_oidc_saved_on_the_page_keeps_the_secret_encrypted_and_never_shows_it(
        client_for, sso_org, admin, oidc_peer):
    client = client_for(admin)
    response = client.post(PAGE, {
        "section": "oidc", "oidc-name": "Okta", "oidc-discovery_url": oidc_peer.discovery_url,
        "oidc-client_id": NORTHWIND_CLIENT[0], "oidc-client_secret": SECRET,
        "oidc-scopes": "openid email profile", "oidc-enabled": "on"})
    assert response.status_code == 302
    provider = IdentityProvider.objects.get(organization=sso_org)
    assert provider.oidc_metadata["issuer"] == f"{oidc_peer.base}/o"
    assert SECRET not in provider.oidc_client_secret_encrypted
    page = client.get(PAGE).content.decode()
    assert SECRET not in page and "A client secret is stored" in page
    entry = AuditEntry.objects.get(action="identity.sso_configured")
    assert entry.data["client_secret_changed"] is True and SECRET not in str(entry.data)
    # Saving again without a secret keeps the stored one.
    client.post(PAGE, {"section": "oidc", "oidc-name": "Okta", "oidc-scopes": "openid email",
                       "oidc-discovery_url": oidc_peer.discovery_url,
                       "oidc-client_id": NORTHWIND_CLIENT[0], "oidc-enabled": "on"})
    provider.refresh_from_db()
    from chorus.identity.sso.secrets import decrypt

    assert decrypt(provider.oidc_client_secret_encrypted) == SECRET


def test_a_wrong_discovery_url_is_shown_on_the_field(client_for, sso_org, admin, oidc_peer):
    page = client_for(admin).post(PAGE, {
        "section": "oidc", "oidc-name": "Okta",
        "oidc-discovery_url": f"{oidc_peer.base}/nothing-here",
        "oidc-client_id": "x", "oidc-scopes": "openid", "oidc-enabled": "on"})
    assert page.status_code == 200
    assert "HTTP 404" in page.context["oidc_form"].errors["discovery_url"][0]
    assert not IdentityProvider.objects.exists()


def test_test_connection_shows_the_claims_and_signs_nobody_in(client_for, sso_org, admin,
                                                              employee, oidc_peer):
    configure_oidc(sso_org, admin, oidc_peer)
    client = client_for(admin)
    start = client.get("/sso/oidc/northwind-robotics/login/?test=1")
    back = client.get(local(idp_sign_in(start, "ada", PASSWORD)))
    assert back.status_code == 302 and back["Location"] == f"{PAGE}#test"
    page = client.get(PAGE).content.decode()
    assert "ada@northwind.example" in page and "Chorus HR" in page
    assert not User.objects.filter(email="ada@northwind.example").exists()
    assert client.session["_auth_user_id"] == str(admin.pk)
    provider = IdentityProvider.objects.get(organization=sso_org)
    assert provider.last_test_ok and provider.last_test_claims["given_name"] == "Ada"
    # Only administrators may test.
    assert client_for(employee).get("/sso/oidc/northwind-robotics/login/?test=1"
                                    ).status_code == 403


def test_a_failed_test_connection_shows_the_error(client_for, sso_org, admin, oidc_peer):
    configure_oidc(sso_org, admin, oidc_peer)
    client = client_for(admin)
    start = client.get("/sso/oidc/northwind-robotics/login/?test=1")
    client.get(local(idp_sign_in(start, "wrongaud", PASSWORD)))
    page = client.get(PAGE).content.decode()
    assert "wrong audience" in page
    assert not IdentityProvider.objects.get(organization=sso_org).last_test_ok


def test_group_mappings_on_the_page_are_scoped_to_the_organization(
        client_for, sso_org, admin, oidc_peer, other_org):
    configure_oidc(sso_org, admin, oidc_peer)
    client = client_for(admin)
    assert client.post(PAGE, {"section": "group", "group": "Chorus Legal",
                              "role": "legal"}).status_code == 302
    mapping = GroupRoleMapping.objects.get(organization=sso_org)
    assert client.post(PAGE, {"section": "group", "group": "chorus legal",
                              "role": "legal"}).context["group_form"].errors
    theirs = GroupRoleMapping.objects.create(organization=other_org, group="x", role="hr")
    assert client.post(f"/identity/sso/groups/{theirs.pk}/delete/").status_code == 404
    assert client.post(f"/identity/sso/groups/{mapping.pk}/delete/").status_code == 302
    assert GroupRoleMapping.objects.filter(pk=theirs.pk).exists()
    assert not GroupRoleMapping.objects.filter(pk=mapping.pk).exists()


def test_attribute_mapping_on_the_page_is_audited(client_for, sso_org, admin, oidc_peer):
    configure_oidc(sso_org, admin, oidc_peer)
    provider = IdentityProvider.objects.get(organization=sso_org)
    data = {"section": "mapping", "mfa_values": "urn:okta:loa:2fa:any"}
    data.update({f"attr_{k}": v for k, v in provider.mapping().items()})
    data["attr_department"] = "dept"
    assert client_for(admin).post(PAGE, data).status_code == 302
    provider.refresh_from_db()
    assert provider.mapping()["department"] == "dept"
    assert provider.mfa_values == ["urn:okta:loa:2fa:any"]
    entry = AuditEntry.objects.get(action="identity.attribute_mapping_changed")
    assert entry.data["before"]["attribute_map"]["department"] == "department"
    assert entry.data["after"]["attribute_map"]["department"] == "dept"


def test_enforced_sso_refuses_passwords_but_the_break_glass_admin_and_is_audited(
        client, sso_org, admin, employee, oidc_peer):
    from chorus.common.errors import InvalidInput
    from chorus.identity.sso.services import provider_record_test, provider_set_enforcement

    provider = configure_oidc(sso_org, admin, oidc_peer)
    with pytest.raises(InvalidInput, match="Test the connection"):
        provider_set_enforcement(organization=sso_org, actor=admin, enforced=True,
                                 break_glass_user=admin)
    provider_record_test(provider=provider, actor=admin, claims={"sub": "1"})
    with pytest.raises(InvalidInput, match="active administrator"):
        provider_set_enforcement(organization=sso_org, actor=admin, enforced=True,
                                 break_glass_user=employee)
    provider_set_enforcement(organization=sso_org, actor=admin, enforced=True,
                             break_glass_user=admin)
    assert AuditEntry.objects.filter(action="identity.sso_enforced",
                                     data__break_glass=admin.email).exists()

    refused = client.post("/login/", {"username": employee.email, "password": MEMBER_PASSWORD})
    assert refused.status_code == 200
    assert "signs in with single sign-on" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    kept = client.post("/login/", {"username": admin.email, "password": MEMBER_PASSWORD})
    assert kept.status_code == 302 and client.session["_auth_user_id"] == str(admin.pk)
    assert AuditEntry.objects.filter(action="identity.break_glass_login").exists()

    client.logout()
    provider_set_enforcement(organization=sso_org, actor=admin, enforced=False,
                             break_glass_user=None)
    assert AuditEntry.objects.filter(action="identity.sso_enforcement_lifted").exists()
    assert client.post("/login/", {"username": employee.email,
                                   "password": MEMBER_PASSWORD}).status_code == 302


def test_the_login_page_offers_continue_with_sso(client, org):
    assert b'href="/sso/"' in client.get("/login/").content


# --------------------------------------------------------------------------- API


def test_admins_configure_sso_through_the_api_and_the_secret_is_write_only(
        sso_org, admin, api_client, oidc_peer):
    api = api_client(admin)
    assert api.get("/api/v1/identity/sso").status_code == 404
    response = api.put("/api/v1/identity/sso/oidc", {
        "name": "Okta", "discovery_url": oidc_peer.discovery_url,
        "client_id": NORTHWIND_CLIENT[0], "client_secret": SECRET},
        content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["has_client_secret"] is True and SECRET not in response.content.decode()
    assert body["oidc_issuer"] == f"{oidc_peer.base}/o"
    assert body["service_provider"]["oidc_redirect_uri"].endswith(
        "/sso/oidc/northwind-robotics/callback/")
    test = api.post("/api/v1/identity/sso/test").json()
    assert test["url"].endswith("/sso/oidc/northwind-robotics/login/?test=1")

    response = api.post("/api/v1/identity/sso/groups", {"group": "Admins", "role": "admin"},
                        content_type="application/json")
    assert response.status_code == 201
    mapping_id = response.json()["id"]
    assert [m["group"] for m in api.get("/api/v1/identity/sso/groups").json()] == ["Admins"]
    response = api.put("/api/v1/identity/sso/mapping",
                       {"attribute_map": {"groups": "roles"}, "mfa_values": ["x"]},
                       content_type="application/json")
    assert response.json()["attribute_map"]["groups"] == "roles"
    assert api.delete(f"/api/v1/identity/sso/groups/{mapping_id}").status_code == 204
    assert api.delete("/api/v1/identity/sso").status_code == 204
    assert AuditEntry.objects.filter(action="identity.sso_removed").exists()


def test_the_sso_api_answers_bad_input_with_the_field(sso_org, admin, api_client, oidc_peer):
    api = api_client(admin)
    response = api.put("/api/v1/identity/sso/oidc", {
        "name": "Okta", "discovery_url": "ftp://nope", "client_id": "x"},
        content_type="application/json")
    assert response.status_code == 422
    configure_oidc(sso_org, admin, oidc_peer)
    response = api.post("/api/v1/identity/sso/groups", {"group": "G", "role": "employee"},
                        content_type="application/json")
    assert response.status_code == 422
    response = api.put("/api/v1/identity/sso/mapping", {"attribute_map": {"shoe_size": "x"}},
                       content_type="application/json")
    assert response.status_code == 422
    response = api.put("/api/v1/identity/sso/enforcement", {"enforced": True,
                                                           "break_glass_user_id": admin.pk},
                       content_type="application/json")
    assert response.status_code == 422
    response = api.put("/api/v1/identity/sso/saml", {"name": "x", "metadata_xml": "nope"},
                       content_type="application/json")
    assert response.status_code == 422


def test_the_sso_api_is_for_admins_and_scoped_to_their_organization(
        sso_org, admin, employee, outsider, api_client, oidc_peer):
    configure_oidc(sso_org, admin, oidc_peer)
    mapping = GroupRoleMapping.objects.create(organization=sso_org, group="g", role=Role.HR)
    assert api_client(employee).get("/api/v1/identity/sso").status_code == 403
    assert api_client(employee).post("/api/v1/identity/sso/groups", {"group": "g", "role": "hr"},
                                     content_type="application/json").status_code == 403
    theirs = api_client(outsider)
    assert theirs.get("/api/v1/identity/sso").status_code == 404
    assert theirs.delete(f"/api/v1/identity/sso/groups/{mapping.pk}").status_code == 404
    assert theirs.put("/api/v1/identity/sso/enforcement", {
        "enforced": False, "break_glass_user_id": admin.pk},
        content_type="application/json").status_code == 404
    assert GroupRoleMapping.objects.filter(pk=mapping.pk).exists()
