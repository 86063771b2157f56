"""After an import: invitations for people without an account, and who joined which campaign."""

import pytest

from chorus.administration.models import Invitation
from chorus.onboarding.models import Assignment, Campaign
from chorus.onboarding.services import people_import_apply, people_import_upload
from chorus.onboarding.tests.conftest import make_campaign
from chorus.people.models import Person

pytestmark = pytest.mark.django_db

CSV = (
    "name,email,department,status\n"
    "Kim Lee,kim@northwind-robotics.example,Sales,employee\n"
    "Ana Ruiz,ana@northwind-robotics.example,Engineering,employee\n"
    "Pat Old,pat@northwind-robotics.example,Sales,leaver\n"
    "Gmail Person,someone@gmail.example,Sales,employee\n"
)


def upload(org, hr, text=CSV):
    return people_import_upload(organization=org, actor=hr, filename="hr.csv", raw=text.encode())


def test_imported_employees_join_open_campaigns_and_get_invitations(
    org, hr, employee, version, mailoutbox, django_capture_on_commit_callbacks
):
    org.verified_domains = ["northwind-robotics.example"]
    org.save()
    make_campaign(hr=hr, version=version, name="Everyone")
    sales = Person.objects.get(user=employee).department  # Engineering
    make_campaign(hr=hr, version=version, name="Engineering only",
                  audience=Campaign.Audience.DEPARTMENT, department=sales)

    with django_capture_on_commit_callbacks(execute=True):
        result = people_import_apply(people_import=upload(org, hr), actor=hr, invite=True,
                                     join_open_campaigns=True)

    assert result.counts["create"] == 4
    joined = dict(result.joined)
    assert sorted(joined["Everyone"]) == ["Ana Ruiz", "Gmail Person", "Kim Lee"]
    assert "Engineering only" not in joined  # Ana already asked for this version elsewhere
    assert Assignment.objects.filter(person__email="ana@northwind-robotics.example").count() == 1
    assert sorted(result.invited) == ["ana@northwind-robotics.example",
                                      "kim@northwind-robotics.example"]
    assert result.not_invited == [("someone@gmail.example",
                                   result.not_invited[0][1])]
    assert "verified domains" in result.not_invited[0][1]
    assert not Invitation.objects.filter(email="pat@northwind-robotics.example").exists()
    assert {m.to[0] for m in mailoutbox} >= {"kim@northwind-robotics.example"}


def test_without_the_choices_nobody_is_invited_and_the_result_says_who_is_in_no_campaign(
    org, hr, version
):
    make_campaign(hr=hr, version=version, name="Everyone")
    result = people_import_apply(people_import=upload(org, hr), actor=hr)
    assert result.joined == [] and result.invited == []
    assert result.without_campaign == ["Ana Ruiz", "Gmail Person", "Kim Lee"]
    assert not Invitation.objects.exists()


def test_the_apply_screen_offers_the_choices_and_shows_the_result(client_for, hr, org, version):
    make_campaign(hr=hr, version=version, name="Everyone")
    people_import = upload(org, hr)
    client = client_for(hr)
    page = client.get(f"/onboarding/people/import/{people_import.pk}/").content.decode()
    assert 'name="invite"' in page and 'name="join_open_campaigns"' in page
    assert "Invite the 3 employees without an account" in page

    response = client.post(f"/onboarding/people/import/{people_import.pk}/",
                           {"join_open_campaigns": "on", "invite": "on"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Who joined which campaign" in page and "Everyone" in page and "Kim Lee" in page
    assert "kim@northwind-robotics.example" in page  # invited
    # A later visit shows the counts, not the names again.
    page = client.get(response["Location"]).content.decode()
    assert "invitation" in page and "Kim Lee" not in page


def test_the_api_import_reports_the_next_steps(api_client, hr, org, version):
    make_campaign(hr=hr, version=version, name="Everyone")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api_client(hr).post("/api/v1/people/import", {
        "file": SimpleUploadedFile("hr.csv", CSV.encode()), "apply": "true",
        "join_open_campaigns": "true", "invite": "true"})
    body = response.json()
    assert response.status_code == 200 and body["applied"]
    assert body["joined"][0][0] == "Everyone" and len(body["invited"]) == 3
