"""The manage page, Admin → Two-factor, and organization isolation of every id."""

import pytest

from chorus.audit.models import AuditEntry
from chorus.identity.mfa import services
from chorus.identity.mfa.models import Authenticator, FactorResetRequest, MfaPolicy
from chorus.identity.mfa.tests.helpers import enroll_totp
from chorus.identity.session import MFA_SESSION_KEY

pytestmark = pytest.mark.django_db
REASON = "Lost phone; confirmed by video call"


@pytest.fixture
def verified(client_for):
    """`verified(user)`: a client whose session has passed its second factor."""

    def make(user):
        client = client_for(user)
        session = client.session
        session[MFA_SESSION_KEY] = "totp"
        session.save()
        return client

    return make


def test_the_account_page_links_to_the_factors(client_for, employee):
    page = client_for(employee).get("/account/")
    assert b'href="/identity/mfa/"' in page.content


def test_the_manage_page_lists_factors_and_regenerates_codes(verified, employee):
    enroll_totp(user=employee, name="Work phone")
    client = verified(employee)
    page = client.get("/identity/mfa/")
    assert (
        page.status_code == 200
        and b"Work phone" in page.content
        and b"10 of 10 unused" in page.content
    )
    page = client.post("/identity/mfa/", {"action": "regenerate"})
    assert page.content.count(b"<li><code>") == 10 and page["Cache-Control"] == "no-store"


def test_removing_a_factor_from_the_page(verified, employee):
    device, _, _ = enroll_totp(user=employee)
    client = verified(employee)
    response = client.post(f"/identity/mfa/{device.pk}/remove/")
    assert response.status_code == 302 and not Authenticator.objects.filter(pk=device.pk).exists()


def test_another_persons_factor_id_is_a_404(verified, employee, outsider):
    device, _, _ = enroll_totp(user=outsider)
    enroll_totp(user=employee)
    assert verified(employee).post(f"/identity/mfa/{device.pk}/remove/").status_code == 404
    assert verified(employee).post("/identity/mfa/999999/remove/").status_code == 404
    assert Authenticator.objects.filter(pk=device.pk).exists()


def test_the_admin_page_saves_the_rule_and_audits_it(verified, admin, org):
    client = verified(admin)
    page = client.get("/identity/mfa/admin/")
    assert page.status_code == 200 and b"Roles that must use a second factor" in page.content
    response = client.post(
        "/identity/mfa/admin/", {"required_roles": ["hr", "legal", "manager"], "grace_days": "14"}
    )
    assert response.status_code == 302
    policy = MfaPolicy.objects.get(organization=org)
    assert policy.required_roles == ["hr", "legal", "manager"] and policy.grace_days == 14
    entry = AuditEntry.objects.get(action="identity.mfa_policy_updated")
    assert entry.data["to"]["grace_days"] == 14


@pytest.mark.parametrize(
    "data, message",
    [
        ({"required_roles": ["hr"], "grace_days": "-1"}, b"greater than or equal to 0"),
        ({"required_roles": ["hr"], "grace_days": "91"}, b"less than or equal to 90"),
        ({"required_roles": ["hr"], "grace_days": "soon"}, b"Enter a whole number"),
        ({"required_roles": ["boss"], "grace_days": "7"}, b"Select a valid choice"),
    ],
)
def test_bad_rule_input_is_a_422_naming_the_field(verified, admin, org, data, message):
    response = verified(admin).post("/identity/mfa/admin/", data)
    assert response.status_code == 422 and message in response.content
    assert MfaPolicy.objects.get(organization=org).grace_days == 7


def test_only_admins_open_the_admin_page(verified, hr):
    enroll_totp(user=hr)
    assert verified(hr).get("/identity/mfa/admin/").status_code == 403


def test_the_admin_page_shows_everyones_status(verified, admin, hr, employee):
    enroll_totp(user=employee)
    page = verified(admin).get("/identity/mfa/admin/").content.decode()
    assert "Enrolled" in page and "Required, not signed in yet" in page and "Optional" in page


def test_reset_through_the_pages_needs_two_admins(verified, admin, admin2, employee):
    enroll_totp(user=employee)
    first = verified(admin)
    response = first.post(f"/identity/mfa/admin/members/{employee.pk}/reset/", {"reason": REASON})
    assert response.status_code == 302
    reset = FactorResetRequest.objects.get(subject=employee)
    page = first.get("/identity/mfa/admin/").content.decode()
    assert "Another administrator must approve." in page

    first.post(f"/identity/mfa/admin/resets/{reset.pk}/approve/")
    assert Authenticator.objects.filter(user=employee).exists()  # refused: same admin
    verified(admin2).post(f"/identity/mfa/admin/resets/{reset.pk}/approve/")
    assert not Authenticator.objects.filter(user=employee).exists()


def test_another_organizations_member_and_reset_ids_are_404(
    verified, admin, admin2, outsider, org, employee
):
    enroll_totp(user=outsider)
    client = verified(admin)
    assert (
        client.post(
            f"/identity/mfa/admin/members/{outsider.pk}/reset/", {"reason": REASON}
        ).status_code
        == 404
    )
    enroll_totp(user=employee)
    reset = services.factor_reset_request(actor=admin, subject_id=employee.pk, reason=REASON)
    other = verified(outsider)
    assert other.post(f"/identity/mfa/admin/resets/{reset.pk}/approve/").status_code == 404
    assert other.post(f"/identity/mfa/admin/resets/{reset.pk}/cancel/").status_code == 404
    reset.refresh_from_db()
    assert reset.status == FactorResetRequest.Status.PENDING


def test_a_reset_request_without_a_reason_is_refused_with_a_message(
    verified, admin, admin2, employee
):
    enroll_totp(user=employee)
    response = verified(admin).post(
        f"/identity/mfa/admin/members/{employee.pk}/reset/", {"reason": ""}, follow=True
    )
    assert b"Say why" in response.content
    assert not FactorResetRequest.objects.exists()


def test_data_rights_export_names_factors_without_secrets_and_erasure_removes_them(employee):
    from chorus.identity import privacy

    _, secret, codes = enroll_totp(user=employee, name="Work phone")
    sections = privacy.export_person_data(employee.person)
    text = str([s.records for s in sections]) + " ".join(s.note for s in sections)
    assert "Work phone" in text and secret not in text and codes[0] not in text

    outcome = privacy.erase_person_data(employee.person)
    assert ("second factors", 1) in outcome.erased and ("recovery codes", 10) in outcome.erased
    assert not Authenticator.objects.filter(user=employee).exists()


def test_a_new_organization_starts_with_the_default_rule_on_record(
    db, django_capture_on_commit_callbacks
):
    from chorus.administration.services.setup import organization_setup

    with django_capture_on_commit_callbacks(execute=True):
        result = organization_setup(
            name="Acme GmbH",
            verified_domains=["acme.example"],
            jurisdictions=["DE"],
            timezone="UTC",
            language="en",
            admin_email="ina@acme.example",
            admin_name="Ina Admin",
            admin_password="Vivid-otter-42-lamp",
            preset=None,
            first_run=False,
            method="cli",
        )
    policy = MfaPolicy.objects.get(organization=result.organization)
    assert policy.required_roles == ["admin", "hr", "legal"] and policy.grace_days == 7
    assert AuditEntry.objects.filter(
        organization_id=result.organization.pk, action="identity.mfa_policy_created"
    ).exists()


def test_a_session_marked_by_single_sign_on_before_login_stays_satisfied(rf, employee):
    from django.contrib.auth import login
    from django.contrib.sessions.backends.db import SessionStore

    from chorus.identity.mfa.gate import session_satisfied

    enroll_totp(user=employee)
    request = rf.get("/")
    request.session = SessionStore()
    request.session[MFA_SESSION_KEY] = "idp"
    login(request, employee, backend="django.contrib.auth.backends.ModelBackend")
    assert session_satisfied(request)

    request = rf.get("/")
    request.session = SessionStore()
    login(request, employee, backend="django.contrib.auth.backends.ModelBackend")
    assert not session_satisfied(request)
    assert request.session["identity_mfa_gate"]["state"] == "verify"


def test_the_admin_page_queries_stay_flat(verified, admin, org, django_assert_max_num_queries):
    from conftest import make_member

    for n in range(12):
        member = make_member(org=org, key=f"member{n}", roles=["hr"] if n % 2 else ["employee"])
        if n % 3 == 0:
            enroll_totp(user=member)
    client = verified(admin)
    client.get("/identity/mfa/admin/")
    with django_assert_max_num_queries(14):
        assert client.get("/identity/mfa/admin/").status_code == 200
