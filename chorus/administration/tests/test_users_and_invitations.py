import datetime

import pytest
from django.utils import timezone

from chorus.administration.models import Invitation
from chorus.administration.services import (
    invitation_create,
    invitation_resend,
    user_deactivate,
    user_roles_update,
)
from chorus.audit.models import AuditEntry
from chorus.common.errors import Conflict, InvalidInput, PermissionDenied
from chorus.people.models import ApiToken, Person, User
from chorus.people.services import api_token_create, person_create

from .conftest import STRONG, link_in

pytestmark = pytest.mark.django_db


def invite_by_page(client, email, roles=("employee",), **extra):
    return client.post("/admin/users/", {"email": email, "roles": list(roles), **extra})


def test_an_admin_invites_by_email_and_the_invitee_joins_linked_to_their_person(
    client_for, admin, org, mailoutbox, django_capture_on_commit_callbacks
):
    person = person_create(organization=org, full_name="Zoë Brandt", email="zoe@northwind.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = invite_by_page(
            client_for(admin), "Zoe@Northwind.example", roles=["hr", "employee"], full_name="Zoë"
        )
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["zoe@northwind.example"]
    assert "Northwind Robotics" in mailoutbox[0].subject
    link = link_in(mailoutbox[0])
    page = client_for(admin).get("/admin/users/").content.decode()
    assert "zoe@northwind.example" in page and "Pending" in page

    client = client_for(admin)
    client.logout()
    assert "Join Northwind Robotics" in client.get(link).content.decode()
    response = client.post(
        link, {"full_name": "Zoë Brandt", "password1": STRONG, "password2": STRONG}
    )

    assert response["Location"] == "/"
    user = User.objects.get(email="zoe@northwind.example")
    assert user.check_password(STRONG) and user.role_names == {"hr", "employee"}
    person.refresh_from_db()
    assert person.user == user
    assert Invitation.objects.get().accepted_user == user
    assert client.get(link).status_code == 410  # a link works once
    assert AuditEntry.objects.filter(action="people.invitation_accepted").exists()


def test_accepting_needs_a_strong_password(client, admin, org):
    invitation = invitation_create(organization=org, actor=admin, email="kim@x.example", send=False)
    from chorus.administration.services import invitation_url

    path = invitation_url(invitation).split("testserver")[-1].split("8000")[-1]
    response = client.post(
        path, {"full_name": "Kim", "password1": "password1", "password2": "password1"}
    )
    assert response.status_code == 422 and "too common" in response.content.decode()
    assert not User.objects.filter(email="kim@x.example").exists()


def test_an_expired_invitation_says_so_and_a_resend_renews_it(
    client, admin, org, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(organization=org, actor=admin, email="kim@x.example")
    old_link = link_in(mailoutbox[0])
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    response = client.get(old_link)
    assert response.status_code == 410 and "expired" in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(invitation=invitation, actor=admin)
    new_link = link_in(mailoutbox[1])
    assert new_link != old_link
    assert client.get(old_link).status_code == 404  # the older link no longer works
    assert client.get(new_link).status_code == 200


def test_a_revoked_invitation_stops_working(client_for, client, admin, org):
    invitation = invitation_create(organization=org, actor=admin, email="kim@x.example", send=False)
    from chorus.administration.services import invitation_token

    token = invitation_token(invitation)
    assert client_for(admin).post(f"/admin/invitations/{invitation.pk}/revoke/").status_code == 302
    client.logout()
    response = client.get(f"/invite/{token}/")
    assert response.status_code == 410 and "withdrawn" in response.content.decode()
    assert client.get("/invite/forged-token/").status_code == 404


def test_bad_invitations_get_clear_errors(client_for, admin, employee, org):
    org.verified_domains = ["northwind-robotics.example"]
    org.save()
    client = client_for(admin)
    page = invite_by_page(client, "someone@gmail.example").content.decode()
    assert "not at one of your verified domains" in page
    page = invite_by_page(client, employee.email).content.decode()
    assert "already has an account in your organization" in page
    page = invite_by_page(client, "new@northwind-robotics.example", roles=[]).content.decode()
    assert "This field is required" in page
    invite_by_page(client, "new@northwind-robotics.example")
    page = invite_by_page(client, "NEW@northwind-robotics.example").content.decode()
    assert "already invited" in page and "Resend" in page
    assert Invitation.objects.count() == 1


def test_only_administrators_reach_users_and_roles(client_for, hr, employee):
    for user in (hr, employee):
        assert client_for(user).get("/admin/users/").status_code == 403
        assert client_for(user).get("/admin/organization/").status_code == 403
        assert client_for(user).get("/admin/").status_code == 403
    with pytest.raises(PermissionDenied):
        invitation_create(organization=hr.org, actor=hr, email="x@y.example")


def test_another_organizations_users_and_invitations_are_404(client_for, admin, outsider):
    theirs = invitation_create(
        organization=outsider.org, actor=outsider, email="t@globex.example", send=False
    )
    client = client_for(admin)
    assert client.get(f"/admin/users/{outsider.pk}/").status_code == 404
    assert client.post(f"/admin/users/{outsider.pk}/deactivate/").status_code == 404
    assert client.post(f"/admin/users/{outsider.pk}/reactivate/").status_code == 404
    assert client.post(f"/admin/invitations/{theirs.pk}/resend/").status_code == 404
    assert client.post(f"/admin/invitations/{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"/admin/users/{outsider.pk}/", {"roles": ["employee"]}).status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active and outsider.has_role("admin")
    assert "outsider" not in client.get("/admin/users/").content.decode()


def test_roles_are_granted_and_revoked_on_the_user_page_and_audited(client_for, admin, employee):
    client = client_for(admin)
    response = client.post(f"/admin/users/{employee.pk}/", {"roles": ["employee", "legal"]})
    assert response.status_code == 302
    employee.refresh_from_db()
    assert User.objects.get(pk=employee.pk).role_names == {"employee", "legal"}
    client.post(f"/admin/users/{employee.pk}/", {"roles": ["employee"]})
    assert User.objects.get(pk=employee.pk).role_names == {"employee"}
    changes = AuditEntry.objects.filter(
        action="permissions.roles_changed", target_id=str(employee.pk)
    )
    assert [e.data["after"] for e in changes.order_by("seq")][-2:] == [
        ["employee", "legal"],
        ["employee"],
    ]
    assert (
        "permissions.roles_changed" in client.get(f"/admin/users/{employee.pk}/").content.decode()
    )


def test_the_last_active_admin_keeps_the_role_and_stays_active(client_for, admin, hr):
    with pytest.raises(Conflict, match="last active administrator"):
        user_roles_update(user=admin, actor=admin, roles=["employee"])
    page = client_for(admin).post(f"/admin/users/{admin.pk}/", {"roles": ["hr"]}).content.decode()
    assert "last active administrator" in page
    assert User.objects.get(pk=admin.pk).has_role("admin")
    with pytest.raises(Conflict, match="own account"):
        user_deactivate(user=admin, actor=admin)
    # With a second administrator, the first may step down.
    user_roles_update(user=hr, actor=admin, roles=["admin"])
    user_roles_update(user=admin, actor=hr, roles=["employee"])
    assert User.objects.get(pk=admin.pk).role_names == {"employee"}
    # The only other administrator is the actor, who may not deactivate themselves.
    with pytest.raises(Conflict, match="own account"):
        user_deactivate(user=hr, actor=User.objects.get(pk=hr.pk))


def test_deactivation_ends_sessions_and_tokens_and_reactivation_does_not_revive_them(
    client_for, admin, employee, api_client
):
    from django.test import Client

    employee_session = Client()
    employee_session.force_login(employee)
    assert employee_session.get("/").status_code == 200
    api = api_client(employee)
    assert api.get("/api/v1/me").status_code == 200

    response = client_for(admin).post(f"/admin/users/{employee.pk}/deactivate/", {"reason": "left"})

    assert response.status_code == 302
    assert employee_session.get("/")["Location"].startswith("/login/")
    assert api.get("/api/v1/me").status_code == 401
    assert not ApiToken.objects.filter(user=employee, revoked_at__isnull=True).exists()
    entry = AuditEntry.objects.get(action="permissions.user_deactivated")
    assert entry.data["tokens_revoked"] == 1 and entry.data["reason"] == "left"
    assert Person.objects.get(user=employee)  # the record stays

    stale = Client()
    stale.cookies = employee_session.cookies
    client_for(admin).post(f"/admin/users/{employee.pk}/reactivate/")
    assert User.objects.get(pk=employee.pk).is_active
    assert stale.get("/").status_code == 302  # old sessions stay ended
    assert api.get("/api/v1/me").status_code == 401
    _, raw = api_token_create(user=User.objects.get(pk=employee.pk), name="new")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").status_code == 200


def test_deactivated_accounts_cannot_log_in(client, admin, employee):
    user_deactivate(user=employee, actor=admin)
    from conftest import PASSWORD

    response = client.post("/login/", {"username": employee.email, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_import_source_invites_only_employees(org, hr):
    with pytest.raises(InvalidInput, match="employees only"):
        invitation_create(
            organization=org, actor=hr, email="x@y.example", roles=["admin"], source="import"
        )


def test_users_page_queries_stay_flat(client_for, admin, org, django_assert_max_num_queries):
    from conftest import make_member

    for n in range(15):
        make_member(org=org, key=f"member{n}", roles=["employee"])
    client = client_for(admin)
    client.get("/admin/users/")
    with django_assert_max_num_queries(14):
        assert client.get("/admin/users/").status_code == 200


def test_the_invitation_email_gives_its_expiry_in_the_organizations_time_zone(
    admin, org, mailoutbox, django_capture_on_commit_callbacks
):
    import zoneinfo

    from chorus.common.text import format_when

    org.timezone = "America/New_York"
    org.save(update_fields=["timezone"])
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(organization=org, actor=admin, email="kim@x.example")
    expected = format_when(invitation.expires_at, zone=zoneinfo.ZoneInfo("America/New_York"))
    assert expected.endswith(("EST", "EDT"))
    assert f"The link works until {expected}." in mailoutbox[0].body
