import json

import pytest

from chorus.audit.models import AuditEntry
from chorus.common.errors import Conflict, InvalidInput
from chorus.identity.mfa import services
from chorus.identity.mfa.models import Authenticator
from chorus.identity.mfa.tests.authenticator import SoftAuthenticator

pytestmark = pytest.mark.django_db

SITE = services.WebAuthnSite(rp_id="testserver", origin="http://testserver")


def _register(user, authenticator: SoftAuthenticator, name: str = "Laptop"):
    options, challenge = services.webauthn_registration_options(user=user, site=SITE)
    credential = authenticator.register(json.loads(options))
    return services.webauthn_register_complete(
        user=user, credential=credential, challenge=challenge, site=SITE, name=name
    )


def test_a_passkey_is_registered_with_its_public_key_and_signs_in(employee):
    key = SoftAuthenticator()
    device, codes = _register(employee, key)
    assert device.kind == Authenticator.Kind.WEBAUTHN and device.is_confirmed
    assert codes and len(codes) == 10
    assert device.transports == ["internal"]

    options, challenge = services.webauthn_authentication_options(user=employee, site=SITE)
    allowed = json.loads(options)["allowCredentials"]
    assert [c["id"] for c in allowed] == [device.credential_id]
    services.webauthn_authenticate_complete(
        user=employee, credential=key.assert_(json.loads(options)), challenge=challenge, site=SITE
    )
    device.refresh_from_db()
    assert device.sign_count == 2
    assert AuditEntry.objects.filter(
        action="identity.mfa_verified", data__method="webauthn"
    ).exists()


def test_registration_from_another_origin_is_refused(employee):
    options, challenge = services.webauthn_registration_options(user=employee, site=SITE)
    credential = SoftAuthenticator().register(json.loads(options), origin="https://evil.example")
    with pytest.raises(InvalidInput, match="not accepted"):
        services.webauthn_register_complete(
            user=employee, credential=credential, challenge=challenge, site=SITE
        )
    assert not Authenticator.objects.exists()


def test_registration_with_another_challenge_is_refused(employee):
    options, _ = services.webauthn_registration_options(user=employee, site=SITE)
    _, other_challenge = services.webauthn_registration_options(user=employee, site=SITE)
    credential = SoftAuthenticator().register(json.loads(options))
    with pytest.raises(InvalidInput):
        services.webauthn_register_complete(
            user=employee, credential=credential, challenge=other_challenge, site=SITE
        )


def test_registration_without_a_challenge_says_it_expired(employee):
    with pytest.raises(InvalidInput, match="expired"):
        services.webauthn_register_complete(user=employee, credential={}, challenge=None, site=SITE)


@pytest.mark.parametrize("credential", [None, "x", {}, {"id": "abc"}, {"response": []}, [1, 2]])
def test_malformed_registration_answers_are_a_clear_error(employee, credential):
    _, challenge = services.webauthn_registration_options(user=employee, site=SITE)
    with pytest.raises(InvalidInput, match="not accepted"):
        services.webauthn_register_complete(
            user=employee, credential=credential, challenge=challenge, site=SITE
        )


def test_the_same_passkey_cannot_be_registered_twice(employee, employee2):
    key = SoftAuthenticator()
    _register(employee, key)
    with pytest.raises(Conflict, match="already registered"):
        _register(employee2, key)


def test_a_passkey_of_another_account_is_refused(employee, employee2):
    mine, theirs = SoftAuthenticator(), SoftAuthenticator()
    _register(employee, mine)
    _register(employee2, theirs)
    options, challenge = services.webauthn_authentication_options(user=employee, site=SITE)
    with pytest.raises(InvalidInput, match="not registered to your account"):
        services.webauthn_authenticate_complete(
            user=employee,
            credential=theirs.assert_(json.loads(options)),
            challenge=challenge,
            site=SITE,
        )


def test_a_bad_signature_is_refused_and_counted(employee):
    key = SoftAuthenticator()
    _register(employee, key)
    options, challenge = services.webauthn_authentication_options(user=employee, site=SITE)
    credential = key.assert_(json.loads(options))
    credential["response"]["signature"] = SoftAuthenticator().assert_(json.loads(options))[
        "response"
    ]["signature"]
    with pytest.raises(InvalidInput, match="not accepted"):
        services.webauthn_authenticate_complete(
            user=employee, credential=credential, challenge=challenge, site=SITE
        )
    assert AuditEntry.objects.filter(action="identity.mfa_failed", data__reason="invalid").exists()


def test_a_signature_counter_going_backwards_is_refused(employee):
    key = SoftAuthenticator()
    _register(employee, key)
    options, challenge = services.webauthn_authentication_options(user=employee, site=SITE)
    services.webauthn_authenticate_complete(
        user=employee,
        credential=key.assert_(json.loads(options), sign_count=10),
        challenge=challenge,
        site=SITE,
    )
    options, challenge = services.webauthn_authentication_options(user=employee, site=SITE)
    with pytest.raises(InvalidInput):
        services.webauthn_authenticate_complete(
            user=employee,
            credential=key.assert_(json.loads(options), sign_count=5),
            challenge=challenge,
            site=SITE,
        )


def test_signing_in_with_a_passkey_needs_one(employee):
    with pytest.raises(InvalidInput, match="no passkey"):
        services.webauthn_authentication_options(user=employee, site=SITE)
