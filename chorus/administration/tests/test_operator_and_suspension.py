import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from chorus.administration.models import Invitation
from chorus.audit.models import AuditEntry
from chorus.people.models import Organization, User
from conftest import PASSWORD

from .conftest import STRONG

pytestmark = pytest.mark.django_db


def org_cmd(*args):
    out = io.StringIO()
    call_command("org", *args, stdout=out)
    return out.getvalue()


def test_the_operator_creates_an_organization_whose_admin_gets_an_invitation(
    org, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        out = org_cmd(
            "create",
            "--name=Initech",
            "--domain=initech.example",
            "--jurisdiction=US",
            "--admin-email=bill@initech.example",
            "--admin-name=Bill Lumbergh",
        )
    initech = Organization.objects.get(name="Initech")
    invitation = Invitation.objects.get(organization=initech)
    assert invitation.roles == ["admin", "employee"] and "/invite/" in out
    assert mailoutbox[0].to == ["bill@initech.example"]
    listing = org_cmd("list")
    assert "initech" in listing and "northwind-robotics" in listing and "active" in listing


def test_the_operator_create_refuses_bad_input(org):
    with pytest.raises(CommandError, match="Missing --name"):
        org_cmd("create", "--jurisdiction=US")
    with pytest.raises(CommandError, match="is not a domain"):
        org_cmd(
            "create",
            "--name=X",
            "--domain=@@",
            "--jurisdiction=US",
            "--admin-email=a@x.example",
            "--admin-name=A",
        )
    with pytest.raises(CommandError, match="starting policy is written by the first administrator"):
        org_cmd(
            "create",
            "--name=X",
            "--jurisdiction=US",
            "--preset=strict",
            "--admin-email=a@x.example",
            "--admin-name=A",
        )
    with pytest.raises(CommandError, match="No organization with slug"):
        org_cmd("suspend", "nope", "--reason=x")
    assert Organization.objects.count() == 1


def test_members_of_a_suspended_organization_cannot_log_in_or_use_the_api(
    org, employee, outsider, api_client
):
    session = Client()
    session.force_login(employee)
    api = api_client(employee)
    outsider_api = api_client(outsider)

    org_cmd("suspend", org.slug, "--reason=contract ended")

    response = session.get("/")
    assert response.status_code == 403 and "contract ended" in response.content.decode()
    assert session.get("/").status_code == 302  # signed out
    response = Client().post("/login/", {"username": employee.email, "password": PASSWORD})
    assert "is suspended" in response.content.decode()
    response = api.get("/api/v1/me")
    assert response.status_code == 403 and "is suspended" in response.json()["detail"]
    assert outsider_api.get("/api/v1/me").status_code == 200  # other organizations unaffected
    assert "suspended" in org_cmd("list")
    with pytest.raises(CommandError, match="already suspended"):
        org_cmd("suspend", org.slug, "--reason=again")

    org_cmd("unsuspend", org.slug)
    assert api.get("/api/v1/me").status_code == 200
    response = Client().post("/login/", {"username": employee.email, "password": PASSWORD})
    assert response.status_code == 302
    actions = list(AuditEntry.objects.filter(organization=org).values_list("action", flat=True))
    assert "organization.suspended" in actions and "organization.unsuspended" in actions


def test_an_invitation_into_a_suspended_organization_cannot_be_used(client, admin, org):
    from chorus.administration.services import invitation_create, invitation_token

    invitation = invitation_create(organization=org, actor=admin, email="z@x.example", send=False)
    org_cmd("suspend", org.slug, "--reason=audit")
    response = client.post(
        f"/invite/{invitation_token(invitation)}/",
        {"full_name": "Z", "password1": STRONG, "password2": STRONG},
    )
    assert response.status_code == 404 and "suspended" in response.content.decode()
    assert not User.objects.filter(email="z@x.example").exists()
