"""The sign-in flow through the real login form, the middleware and the pages."""

import json
import time
from datetime import timedelta

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.identity.mfa import services
from chorus.identity.mfa.gate import GATE_SESSION_KEY
from chorus.identity.mfa.models import Authenticator, MfaUserState
from chorus.identity.mfa.tests.authenticator import SoftAuthenticator
from chorus.identity.mfa.tests.helpers import enroll_totp, now_code
from chorus.identity.session import MFA_SESSION_KEY

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"
VERIFY = "/identity/mfa/verify/"
SETUP = "/identity/mfa/setup/"


def sign_in(user, client=None) -> Client:
    client = client or Client()
    response = client.post("/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def test_an_employee_without_a_factor_or_rule_goes_straight_in(employee):
    client = sign_in(employee)
    assert client.get("/").status_code == 200
    assert not MfaUserState.objects.filter(user=employee).exists()


def test_a_session_with_a_factor_must_verify_before_any_page(employee):
    _, secret, _ = enroll_totp(user=employee)
    client = sign_in(employee)

    for path in ["/", "/account/", "/identity/mfa/", SETUP, "/audit/"]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == VERIFY, path
    page = client.get(VERIFY)
    assert page.status_code == 200 and b"One more step" in page.content

    response = client.post(VERIFY, {"code": now_code(secret)})
    assert (
        response.status_code == 302 and response["Location"] == "/audit/"
    )  # the last page asked for
    assert client.session[MFA_SESSION_KEY] == "totp"
    assert client.get("/").status_code == 200


def test_a_wrong_code_on_the_verify_page_says_so_and_locks_after_five(employee, settings):
    settings.AXES_FAILURE_LIMIT = 5
    _, secret, _ = enroll_totp(user=employee)
    client = sign_in(employee)
    wrong = "000000" if now_code(secret) != "000000" else "111111"
    for _ in range(5):
        response = client.post(VERIFY, {"code": wrong})
        assert response.status_code == 422 and b"That code is not right" in response.content
    response = client.post(VERIFY, {"code": now_code(secret)})
    assert response.status_code == 429 and b"Too many wrong attempts" in response.content
    assert client.get("/").status_code == 302


def test_an_empty_or_malformed_code_is_a_422_with_the_field_named(employee):
    enroll_totp(user=employee)
    client = sign_in(employee)
    assert client.post(VERIFY, {"code": ""}).status_code == 422
    response = client.post(VERIFY, {"code": "12ab"})
    assert response.status_code == 422 and b"6-digit code" in response.content


def test_a_recovery_code_completes_sign_in(employee):
    _, _, codes = enroll_totp(user=employee)
    client = sign_in(employee)
    response = client.post(VERIFY, {"recovery_code": codes[3]})
    assert response.status_code == 302
    assert client.session[MFA_SESSION_KEY] == "recovery"
    assert b"9 are left" in client.get("/").content


def test_a_password_alone_cannot_add_a_factor_to_an_account_that_has_one(employee):
    enroll_totp(user=employee)
    client = sign_in(employee)
    for path in [SETUP, "/identity/mfa/setup/totp/", "/identity/mfa/setup/passkey/options/"]:
        response = client.post(path)
        assert response.status_code == 302 and response["Location"] == VERIFY
    assert Authenticator.objects.filter(user=employee).count() == 1


def test_the_identity_providers_mfa_claim_satisfies_the_session(employee):
    enroll_totp(user=employee)
    client = sign_in(employee)
    session = client.session
    session[MFA_SESSION_KEY] = "idp"
    session.save()
    assert client.get("/").status_code == 200


def test_login_logout_static_and_probes_are_not_gated(employee):
    enroll_totp(user=employee)
    client = sign_in(employee)
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/chorus.css").status_code in (200, 404)  # not a redirect
    assert client.get("/login/").get("Location") != VERIFY
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302  # signed out: the login page
    assert "/login/" in client.get("/")["Location"]


def test_the_api_refuses_an_unverified_session_but_not_a_bearer_token(employee, api_client):
    enroll_totp(user=employee)
    client = sign_in(employee)
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and "second factor" in response.json()["detail"]
    assert api_client(employee).get("/api/v1/me").status_code == 200


def test_an_htmx_request_of_an_unverified_session_is_redirected_by_htmx(employee):
    enroll_totp(user=employee)
    client = sign_in(employee)
    response = client.get("/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == VERIFY


def test_a_factor_added_in_another_session_is_required_within_a_minute(employee):
    client = sign_in(employee)
    assert client.get("/").status_code == 200
    enroll_totp(user=employee)
    assert client.get("/").status_code == 200  # the decision is kept for up to a minute
    session = client.session
    session[GATE_SESSION_KEY]["at"] = time.time() - 61
    session.save()
    assert client.get("/")["Location"] == VERIFY


def test_hr_is_in_the_grace_period_at_first_sign_in_and_sees_the_deadline(hr):
    client = sign_in(hr)
    page = client.get("/")
    assert page.status_code == 200 and b"Set up two-factor sign-in" in page.content
    state = MfaUserState.objects.get(user=hr)
    assert abs((state.grace_started_at - timezone.now()).total_seconds()) < 60


def test_after_the_grace_period_sign_in_goes_through_enrollment(hr):
    MfaUserState.objects.create(
        organization_id=hr.org_id, user=hr, grace_started_at=timezone.now() - timedelta(days=8)
    )
    client = sign_in(hr)
    assert client.get("/")["Location"] == SETUP
    assert client.get(VERIFY)["Location"] == SETUP  # nothing to verify yet
    assert b"requires a second factor for your role" in client.get(SETUP).content

    response = client.post("/identity/mfa/setup/totp/")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b'src="data:image/svg+xml' in page.content
    device = Authenticator.objects.get(user=hr)
    secret = services.totp_pending_secret(user=hr, authenticator_id=device.pk)[1]
    wrong = client.post(response["Location"], {"code": "12", "name": "Phone"})
    assert wrong.status_code == 422
    done = client.post(response["Location"], {"code": pyotp.TOTP(secret).now(), "name": "Phone"})
    assert done["Location"] == "/identity/mfa/setup/done/"
    codes_page = client.get("/identity/mfa/setup/done/")
    assert codes_page.content.count(b"<li><code>") == 10
    assert b"<li><code>" not in client.get("/identity/mfa/setup/done/").content  # shown once
    assert client.get("/").status_code == 200
    assert not MfaUserState.objects.filter(user=hr, grace_started_at__isnull=False).exists()


def test_a_grace_period_of_zero_days_enrolls_at_the_next_sign_in(hr, admin):
    services.mfa_policy_update(
        organization=hr.org, actor=admin, required_roles=["hr"], grace_days=0
    )
    client = sign_in(hr)
    assert client.get("/")["Location"] == SETUP


def test_a_role_outside_the_rule_is_not_asked(comms, admin):
    services.mfa_policy_update(
        organization=comms.org, actor=admin, required_roles=["hr"], grace_days=0
    )
    assert sign_in(comms).get("/").status_code == 200


def test_enrolling_a_passkey_and_signing_in_with_it_through_the_pages(employee):
    client = sign_in(employee)
    key = SoftAuthenticator()
    options = client.post("/identity/mfa/setup/passkey/options/").json()
    assert options["rp"]["id"] == "testserver"
    response = client.post(
        "/identity/mfa/setup/passkey/",
        json.dumps({"credential": key.register(options), "name": "Laptop"}),
        content_type="application/json",
    )
    assert (
        response.status_code == 200 and response.json()["redirect"] == "/identity/mfa/setup/done/"
    )
    assert client.get("/identity/mfa/setup/done/").content.count(b"<li><code>") == 10

    client.post("/logout/")
    client = sign_in(employee)
    assert client.get("/")["Location"] == VERIFY
    assert b"Use your passkey" in client.get(VERIFY).content
    options = client.post("/identity/mfa/verify/passkey/options/").json()
    response = client.post(
        "/identity/mfa/verify/passkey/",
        json.dumps({"credential": key.assert_(options)}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert client.session[MFA_SESSION_KEY] == "webauthn"
    assert client.get("/").status_code == 200


def test_a_passkey_answer_without_its_challenge_or_as_bad_json_is_refused(employee):
    client = sign_in(employee)
    response = client.post(
        "/identity/mfa/setup/passkey/", "not json", content_type="application/json"
    )
    assert response.status_code == 422 and "JSON object" in response.json()["error"]
    response = client.post(
        "/identity/mfa/setup/passkey/",
        json.dumps({"credential": {}}),
        content_type="application/json",
    )
    assert response.status_code == 422 and "expired" in response.json()["error"]
    assert not Authenticator.objects.filter(user=employee).exists()


def test_a_challenge_is_used_once(employee):
    client = sign_in(employee)
    key = SoftAuthenticator()
    options = client.post("/identity/mfa/setup/passkey/options/").json()
    credential = key.register(options)
    body = json.dumps({"credential": credential})
    assert (
        client.post(
            "/identity/mfa/setup/passkey/", body, content_type="application/json"
        ).status_code
        == 200
    )
    again = client.post("/identity/mfa/setup/passkey/", body, content_type="application/json")
    assert again.status_code == 422


def test_every_sign_in_step_is_audited_without_secrets(employee, org):
    _, secret, codes = enroll_totp(user=employee)
    client = sign_in(employee)
    code = now_code(secret)
    client.post(VERIFY, {"code": code})
    entries = AuditEntry.objects.filter(organization_id=org.pk, action__startswith="identity.")
    text = json.dumps([e.data for e in entries])
    assert secret not in text and code not in text and not any(c in text for c in codes or [])
    assert entries.filter(action="identity.mfa_verified").exists()


def test_a_complete_session_costs_the_middleware_no_query(rf, employee, django_assert_num_queries):
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse

    from chorus.identity.mfa.middleware import SecondFactorMiddleware

    enroll_totp(user=employee)
    request = rf.get("/reports/")
    request.user = employee
    request.session = SessionStore()
    request.session[MFA_SESSION_KEY] = "webauthn"
    middleware = SecondFactorMiddleware(lambda r: HttpResponse("ok"))
    with django_assert_num_queries(0):
        assert middleware(request).status_code == 200


def test_an_undecided_session_is_decided_once_and_then_served_from_the_session(
    rf, employee, django_assert_max_num_queries, django_assert_num_queries
):
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse

    from chorus.identity.mfa.middleware import SecondFactorMiddleware

    services.mfa_policy_get(organization=employee.org)  # made once per organization
    employee = employee.__class__.objects.get(pk=employee.pk)  # no cached roles
    request = rf.get("/reports/")
    request.user = employee
    request.session = SessionStore()
    middleware = SecondFactorMiddleware(lambda r: HttpResponse("ok"))
    # Has a factor? The rule; the account's roles.
    with django_assert_max_num_queries(3):
        assert middleware(request).status_code == 200
    with django_assert_num_queries(0):
        assert middleware(request).status_code == 200
