"""Single sign-on meets second factors: the IdP's MFA claim completes the session; without it
a person who has a factor verifies it after the IdP, as after a password."""

from __future__ import annotations

import pytest

from chorus.identity.mfa.tests.helpers import enroll_totp, now_code
from chorus.identity.tests.conftest import configure_oidc, idp_sign_in, local
from chorus.people.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbound_to_loopback")]

START = "/sso/oidc/northwind-robotics/login/"


def sign_in(client, username):
    return client.get(local(idp_sign_in(client.get(START), username)))


def test_the_idps_mfa_claim_satisfies_the_second_factor(client, sso_org, admin, oidc_peer):
    configure_oidc(sso_org, admin, oidc_peer)
    sign_in(client, "ada")
    enroll_totp(user=User.objects.get(email="ada@northwind.example"))
    client.post("/logout/")

    assert sign_in(client, "ada").status_code == 302
    assert client.get("/").status_code == 200


def test_without_the_claim_a_person_with_a_factor_verifies_it(client, sso_org, admin, oidc_peer):
    configure_oidc(sso_org, admin, oidc_peer)
    sign_in(client, "bob")
    _, secret, _ = enroll_totp(user=User.objects.get(email="bob@northwind.example"))
    client.post("/logout/")

    sign_in(client, "bob")
    assert client.get("/")["Location"] == "/identity/mfa/verify/"
    assert client.post("/identity/mfa/verify/", {"code": now_code(secret)}).status_code == 302
    assert client.get("/").status_code == 200
