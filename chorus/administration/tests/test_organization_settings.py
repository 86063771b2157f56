import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chorus.administration.services import organization_update
from chorus.audit.models import AuditEntry
from chorus.common.errors import InvalidInput, PermissionDenied
from chorus.people.models import Organization

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

FORM = {
    "name": "Northwind Robotics GmbH",
    "verified_domains": "northwind.example, nw.example",
    "jurisdictions": "US, us-ca, EU",
    "timezone": "Europe/Berlin",
    "language": "de",
    "email_sender": "Northwind Chorus <chorus@northwind.example>",
}


def test_an_admin_changes_the_organization_settings_and_it_is_audited(client_for, admin, org):
    response = client_for(admin).post("/admin/organization/", FORM)

    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "Northwind Robotics GmbH"
    assert org.verified_domains == ["northwind.example", "nw.example"]
    assert org.jurisdictions == ["US", "US-CA", "EU"]
    assert (org.timezone, org.language) == ("Europe/Berlin", "de")
    assert org.email_sender == "Northwind Chorus <chorus@northwind.example>"
    entry = AuditEntry.objects.get(action="organization.updated")
    assert entry.data["changed"]["timezone"] == "Europe/Berlin"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"verified_domains": "not a domain!"}, "is not a domain"),
        ({"jurisdictions": "Narnia"}, "is not a jurisdiction code"),
        ({"email_sender": "chorus@gmail.example"}, "not one of your verified domains"),
        ({"email_sender": "not an address"}, "is not an e-mail sender"),
        ({"timezone": "Mars/Base"}, "Select a valid choice"),
    ],
)
def test_bad_settings_are_refused_with_the_field_named_and_nothing_changes(
    client_for, admin, org, change, message
):
    response = client_for(admin).post("/admin/organization/", FORM | change)

    assert response.status_code == 422
    assert message in response.content.decode()
    org.refresh_from_db()
    assert org.name == "Northwind Robotics"


def test_a_domain_verified_by_another_organization_cannot_be_claimed(admin, outsider):
    organization_update(
        organization=outsider.org, actor=outsider, values={"verified_domains": ["globex.example"]}
    )
    with pytest.raises(InvalidInput, match="already verified by another organization"):
        organization_update(
            organization=admin.org, actor=admin, values={"verified_domains": ["globex.example"]}
        )


def test_only_admins_change_settings(hr, org):
    with pytest.raises(PermissionDenied):
        organization_update(organization=org, actor=hr, values={"name": "Mine now"})


def test_a_logo_is_checked_by_content_and_served_only_to_members(
    client_for, admin, employee, outsider
):
    client = client_for(admin)
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = client.post("/admin/organization/", FORM | {"logo": fake})
    assert (
        response.status_code == 422
        and "is not a PNG, JPEG, GIF or WebP" in response.content.decode()
    )
    assert Organization.objects.get(pk=admin.org_id).name == "Northwind Robotics"  # all or nothing

    logo = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    assert client.post("/admin/organization/", FORM | {"logo": logo}).status_code == 302
    response = client_for(employee).get("/admin/organization/logo")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    assert client_for(outsider).get("/admin/organization/logo").status_code == 404
    assert AuditEntry.objects.filter(action="organization.logo_changed").count() == 1

    client = client_for(admin)
    assert client.post("/admin/organization/", FORM | {"remove_logo": "on"}).status_code == 302
    assert not Organization.objects.get(pk=admin.org_id).logo
