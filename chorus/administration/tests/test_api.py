import pytest

from chorus.administration.models import Invitation
from chorus.people.models import User

pytestmark = pytest.mark.django_db


def test_admins_manage_users_invitations_and_settings_through_the_api(admin, employee, api_client):
    api = api_client(admin)
    emails = [u["email"] for u in api.get("/api/v1/admin/users").json()]
    assert admin.email in emails and employee.email in emails

    response = api.put(
        f"/api/v1/admin/users/{employee.pk}/roles",
        {"roles": ["employee", "communications"]},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["roles"] == [
        "communications",
        "employee",
    ]

    response = api.post(
        "/api/v1/admin/invitations",
        {"email": "new@x.example", "roles": ["employee"]},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["status"] == "pending"
    invitation_id = response.json()["id"]
    assert api.post(f"/api/v1/admin/invitations/{invitation_id}/resend").status_code == 200
    assert api.delete(f"/api/v1/admin/invitations/{invitation_id}").json()["status"] == "revoked"

    response = api.post(
        f"/api/v1/admin/users/{employee.pk}/deactivate",
        {"reason": "left"},
        content_type="application/json",
    )
    assert response.json()["is_active"] is False
    assert api.post(f"/api/v1/admin/users/{employee.pk}/reactivate").json()["is_active"] is True

    response = api.patch(
        "/api/v1/admin/organization",
        {"timezone": "Europe/Paris", "verified_domains": ["northwind.example"]},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["timezone"] == "Europe/Paris"
    assert api.get("/api/v1/admin/organization").json()["verified_domains"] == ["northwind.example"]


def test_the_admin_api_answers_bad_input_with_the_field(admin, api_client):
    api = api_client(admin)
    response = api.patch(
        "/api/v1/admin/organization", {"timezone": "Nowhere/Land"}, content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["field"] == "timezone"
    response = api.put(
        f"/api/v1/admin/users/{admin.pk}/roles",
        {"roles": ["wizard"]},
        content_type="application/json",
    )
    assert response.status_code == 422 and "Unknown role" in response.json()["detail"]
    response = api.put(
        f"/api/v1/admin/users/{admin.pk}/roles",
        {"roles": ["employee"]},
        content_type="application/json",
    )
    assert response.status_code == 409 and "last active administrator" in response.json()["detail"]


def test_the_admin_api_is_for_admins_and_scoped_to_their_organization(
    admin, employee, outsider, api_client
):
    assert api_client(employee).get("/api/v1/admin/users").status_code == 403
    assert api_client(employee).get("/api/v1/admin/organization").status_code == 403
    theirs = Invitation.objects.create(
        organization=outsider.org,
        email="t@globex.example",
        roles=["employee"],
        nonce="n",
        expires_at="2099-01-01T00:00:00Z",
    )
    api = api_client(admin)
    assert api.get(f"/api/v1/admin/users/{outsider.pk}").status_code == 404
    assert (
        api.post(
            f"/api/v1/admin/users/{outsider.pk}/deactivate", {}, content_type="application/json"
        ).status_code
        == 404
    )
    assert api.delete(f"/api/v1/admin/invitations/{theirs.pk}").status_code == 404
    assert User.objects.get(pk=outsider.pk).is_active
