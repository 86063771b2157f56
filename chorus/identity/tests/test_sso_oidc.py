"""OpenID Connect sign-in through a real provider (django-oauth-toolkit in its own process)."""

from __future__ import annotations

import pytest

from chorus.audit.models import AuditEntry
from chorus.identity.session import MFA_SESSION_KEY
from chorus.identity.sso.models import GroupRoleMapping, IdentityProvider
from chorus.identity.tests.conftest import (
    GLOBEX_CLIENT,
    configure_oidc,
    idp_sign_in,
    local,
)
from chorus.people.models import Person, User
from chorus.people.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbound_to_loopback")]

START = "/sso/oidc/northwind-robotics/login/"


def counts():
    return (User.objects.count(), Person.objects.count(),
            AuditEntry.objects.exclude(action__startswith="identity.sso_").count())


def sign_in(client, username, start=START):
    return client.get(local(idp_sign_in(client.get(start), username)))


def test_continue_with_sso_finds_the_organization_by_domain_and_signs_in_just_in_time(
        client, sso_org, admin, oidc_peer):
    configure_oidc(sso_org, admin, oidc_peer)
    GroupRoleMapping.objects.create(organization=sso_org, group="chorus hr", role=Role.HR)
    page = client.post("/sso/", {"email": "Ada@Northwind.example", "next": "/policies/"})
    assert page.status_code == 200
    url = page.context["url"]
    assert url.startswith(START) and "email=ada%40northwind.example" in url
    assert b'http-equiv="refresh"' in page.content

    start = client.get(url)
    assert "code_challenge_method=S256" in start["Location"]
    assert "login_hint=ada%40northwind.example" in start["Location"]
    done = client.get(local(idp_sign_in(start, "ada")))

    assert done.status_code == 302 and done["Location"] == "/policies/"
    user = User.objects.get(email="ada@northwind.example")
    assert user.organization == sso_org and user.full_name == "Ada Lovelace"
    assert user.role_names == {Role.EMPLOYEE, Role.HR}
    person = Person.objects.get(user=user)
    assert (person.department.name, person.title, person.location) == ("Research", "Engineer",
                                                                         "London")
    assert user.directory_profile.preferred_language == "en-GB"
    assert client.session["_auth_user_id"] == str(user.pk)
    # amr carried "mfa": the second factor is satisfied by the IdP.
    assert client.session[MFA_SESSION_KEY] == "idp"
    assert AuditEntry.objects.filter(action="identity.sso_login", target_id=str(user.pk),
                                     data__idp_mfa=True).exists()


def test_without_a_second_factor_at_the_idp_the_session_is_not_marked(client, sso_org, admin,
                                                                      oidc_peer):
    configure_oidc(sso_org, admin, oidc_peer)
    done = sign_in(client, "bob")
    assert done.status_code == 302
    assert MFA_SESSION_KEY not in client.session


def test_an_acr_the_organization_lists_satisfies_the_second_factor(client, sso_org, admin,
                                                                   oidc_peer):
    from chorus.identity.sso.services import mfa_from_oidc

    provider = configure_oidc(sso_org, admin, oidc_peer)
    provider.mfa_values = ["urn:okta:loa:2fa:any"]
    assert mfa_from_oidc(provider=provider, claims={"acr": "urn:okta:loa:2fa:any"})
    assert not mfa_from_oidc(provider=provider, claims={"acr": "urn:okta:loa:1fa:pwd"})
    assert mfa_from_oidc(provider=provider, claims={"amr": ["pwd", "hwk"]})


def test_a_mapping_change_applies_at_the_next_login_and_is_audited(client, sso_org, admin,
                                                                   oidc_peer):
    configure_oidc(sso_org, admin, oidc_peer)
    sign_in(client, "bob")
    bob = User.objects.get(email="bob@northwind.example")
    assert bob.role_names == {Role.EMPLOYEE}
    from chorus.identity.sso.services import group_mapping_add

    group_mapping_add(organization=sso_org, actor=admin, group="Everyone",
                      role=Role.COMMUNICATIONS)
    assert AuditEntry.objects.filter(action="identity.group_mapping_added").exists()
    client.logout()
    sign_in(client, "bob")
    assert User.objects.get(pk=bob.pk).role_names == {Role.EMPLOYEE, Role.COMMUNICATIONS}
    change = AuditEntry.objects.filter(action="permissions.roles_changed",
                                       target_id=str(bob.pk)).last()
    assert change.actor_label == "Single sign-on (Test OIDC)"


@pytest.mark.parametrize(("username", "expected"), [
    ("wrongaud", "wrong audience"),
    ("expired", "expired"),
    ("stranger", "not on a verified domain"),
    ("unverified", "not verified"),
])
def test_refused_sign_ins_get_a_clear_page_and_write_nothing(client, sso_org, admin, oidc_peer,
                                                             username, expected):
    configure_oidc(sso_org, admin, oidc_peer)
    before = counts()
    page = sign_in(client, username)
    assert page.status_code == 400
    assert expected in page.content.decode()
    assert b"Nothing was changed in Chorus" in page.content
    assert counts() == before
    assert "_auth_user_id" not in client.session


def test_a_person_the_idp_marks_inactive_is_refused_and_nothing_is_written(client, sso_org,
                                                                           admin, oidc_peer):
    from chorus.identity.sso.services import provider_update_mapping

    configure_oidc(sso_org, admin, oidc_peer)
    provider_update_mapping(organization=sso_org, actor=admin, attribute_map={"active": "active"})
    before = counts()
    page = sign_in(client, "disabled")
    assert page.status_code == 400 and b"deactivated" in page.content
    assert counts() == before


def test_the_idp_refusing_the_sign_in_gets_a_clear_page(client, sso_org, admin, oidc_peer):
    configure_oidc(sso_org, admin, oidc_peer)
    start = client.get(START)
    state = start["Location"].split("state=")[1].split("&")[0]
    page = client.get(f"/sso/oidc/northwind-robotics/callback/?error=access_denied"
                      f"&error_description=User+is+deactivated&state={state}")
    assert page.status_code == 400
    assert "access_denied: User is deactivated" in page.content.decode()


def test_a_deactivated_chorus_account_is_refused(client, sso_org, admin, oidc_peer):
    from chorus.identity.directory import DirectoryAttributes, directory_upsert

    configure_oidc(sso_org, admin, oidc_peer)
    bob = directory_upsert(organization=sso_org, source="test", actor_label="t",
                           attributes=DirectoryAttributes(email="bob@northwind.example"))
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    before = counts()
    page = sign_in(client, "bob")
    assert page.status_code == 400 and b"deactivated" in page.content
    assert counts() == before and not User.objects.get(pk=bob.pk).is_active


def test_a_callback_without_a_started_flow_is_refused(client, sso_org, admin, oidc_peer):
    configure_oidc(sso_org, admin, oidc_peer)
    page = client.get("/sso/oidc/northwind-robotics/callback/?code=x&state=forged")
    assert page.status_code == 400 and b"not started from this browser" in page.content


def test_unknown_domain_is_told_to_use_a_password(client, sso_org, admin, oidc_peer):
    configure_oidc(sso_org, admin, oidc_peer)
    page = client.post("/sso/", {"email": "x@unknown.example"})
    assert page.status_code == 200
    assert "No organization on this Chorus uses single sign-on for unknown.example" in \
        page.content.decode()
    bad = client.post("/sso/", {"email": "not-an-address"})
    assert bad.status_code == 200 and bad.context["form"].errors["email"]


def test_an_idp_of_one_organization_never_signs_anyone_into_another(client, sso_org, admin,
                                                                    globex, outsider, oidc_peer):
    configure_oidc(sso_org, admin, oidc_peer)
    configure_oidc(globex, outsider, oidc_peer, client=GLOBEX_CLIENT)
    # A flow started for Northwind cannot finish at Globex's callback.
    callback = idp_sign_in(client.get(START), "gus")
    forged = local(callback).replace("northwind-robotics", "globex")
    page = client.get(forged)
    assert page.status_code == 400 and b"another organization" in page.content
    # Globex's IdP asserting a Northwind address: not a Globex domain, nobody is created.
    before = counts()
    page = sign_in(client, "ada", start="/sso/oidc/globex/login/")
    assert page.status_code == 400 and counts() == before
    # Even if Globex lists Northwind's domain, Northwind's accounts stay out of reach.
    sign_in(client, "bob")
    client.logout()
    globex.verified_domains = ["globex.example", "northwind.example"]
    globex.save(update_fields=["verified_domains"])
    page = sign_in(client, "bob", start="/sso/oidc/globex/login/")
    assert page.status_code == 400 and b"cannot sign in to Globex" in page.content
    assert User.objects.get(email="bob@northwind.example").organization == sso_org


def test_a_disabled_provider_does_not_start_sign_ins(client, sso_org, admin, oidc_peer):
    provider = configure_oidc(sso_org, admin, oidc_peer)
    IdentityProvider.objects.filter(pk=provider.pk).update(enabled=False)
    page = client.get(START)
    assert page.status_code == 400 and b"turned off" in page.content
    assert client.post("/sso/", {"email": "ada@northwind.example"}).context["form"].errors


def test_a_wrong_client_secret_is_refused_by_the_provider_and_shown(client, sso_org, admin,
                                                                   oidc_peer):
    configure_oidc(sso_org, admin, oidc_peer, client=("chorus-northwind", "not-the-secret"))
    before = counts()
    page = sign_in(client, "bob")
    assert page.status_code == 400 and "HTTP 401" in page.content.decode()
    assert counts() == before


def _token(claims, *, key=None, alg="RS256"):
    import base64
    import json

    from joserfc import jwt
    from joserfc.jwk import RSAKey

    if alg == "none":
        def part(data):
            return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

        return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."
    return jwt.encode({"alg": alg}, claims, key or RSAKey.generate_key(2048))


@pytest.mark.parametrize("alg", ["none", "RS256"])
def test_unsigned_or_foreign_signed_id_tokens_are_refused(sso_org, admin, oidc_peer, alg):
    import time

    from chorus.identity.sso import oidc
    from chorus.identity.sso.errors import SsoError

    provider = configure_oidc(sso_org, admin, oidc_peer)
    now = int(time.time())
    claims = {"iss": provider.oidc_metadata["issuer"], "aud": provider.oidc_client_id,
              "sub": "1", "exp": now + 300, "iat": now, "nonce": "n",
              "email": "ada@northwind.example"}
    with pytest.raises(SsoError) as caught:
        oidc.validate_id_token(provider=provider, id_token=_token(claims, alg=alg), nonce="n")
    assert "signed" in caught.value.message or "signature" in caught.value.message
