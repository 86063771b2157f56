import pytest
from django.core import mail

from chorus.administration.services import organization_suspend
from chorus.audit.models import AuditEntry

from .conftest import STRONG, link_in

pytestmark = pytest.mark.django_db


def test_a_member_resets_the_password_by_email_and_it_is_audited(client, employee, mailoutbox):
    response = client.post("/password-reset/", {"email": employee.email.upper()})

    assert response["Location"] == "/password-reset/sent/"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [employee.email]
    link = link_in(mailoutbox[0])
    response = client.get(link)  # Django swaps the token for a session key, then redirects
    form_url = response["Location"]
    response = client.post(form_url, {"new_password1": STRONG, "new_password2": STRONG})
    assert response["Location"] == "/password-reset/done/"
    employee.refresh_from_db()
    assert employee.check_password(STRONG)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"people.password_reset_requested", "people.password_reset_completed"} <= actions
    assert "no longer works" in client.get(link, follow=True).content.decode()  # single use


def test_the_answer_is_the_same_for_an_unknown_address(client, employee, mailoutbox):
    known = client.post("/password-reset/", {"email": employee.email})
    unknown = client.post("/password-reset/", {"email": "nobody@nowhere.example"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mailoutbox) == 1


def test_reset_requests_are_throttled_per_address_and_per_ip(client, employee, settings):
    settings.CHORUS_PASSWORD_RESET_PER_EMAIL = 2
    settings.CHORUS_PASSWORD_RESET_PER_IP = 4
    codes = [
        client.post("/password-reset/", {"email": employee.email}).status_code for _ in range(3)
    ]
    assert codes == [302, 302, 429]
    assert len(mail.outbox) == 2
    # Other addresses from the same IP: refused once the IP made its 4 requests.
    codes = [
        client.post("/password-reset/", {"email": f"x{n}@nowhere.example"}).status_code
        for n in range(3)
    ]
    assert codes == [302, 429, 429]
    page = client.post("/password-reset/", {"email": "y@nowhere.example"}).content.decode()
    assert "Wait an hour" in page


def test_members_of_a_suspended_organization_get_no_reset_mail(client, employee, mailoutbox):
    organization_suspend(organization=employee.org, reason="unpaid invoice")
    client.post("/password-reset/", {"email": employee.email})
    assert mailoutbox == []


def test_the_login_page_links_to_password_reset(client, org):
    assert "/password-reset/" in client.get("/login/").content.decode()
