"""Evidence that says what happened: a campaign keeps its launch version and counts only
attestations of it; "remind all pending (n)" with a preview; filters and pagination on the
campaign page; why someone was not asked."""

import pytest
from django.core import mail

from chorus.common.errors import Conflict
from chorus.onboarding.models import Assignment, Campaign
from chorus.onboarding.selectors import campaign_get, campaign_list_for
from chorus.onboarding.services import (
    attestation_create,
    campaign_remind_pending,
    campaign_start,
)
from chorus.onboarding.tests.conftest import make_campaign, publish_version

pytestmark = pytest.mark.django_db


def _attest(assignment, user=None):
    return attestation_create(assignment=assignment, channel="session", read_stated=True,
                              content_hash=assignment.version.content_hash, confirmed=True,
                              user=user)


def test_a_v1_campaign_keeps_v1_and_its_numbers_after_v2_is_published(
    client_for, hr, employee, employee2, comms, version, django_capture_on_commit_callbacks
):
    """The trial: the v1 campaign showed "v2 · 88% complete" with every row done, although
    those people acknowledged version 1."""
    campaign = make_campaign(hr=hr, version=version)
    everyone = campaign.assignments.count()
    _attest(campaign.assignments.get(person=employee.person), user=employee)

    v2 = publish_version(author=comms, previous=version, material=True,
                         capture=django_capture_on_commit_callbacks)

    old = campaign_get(user=hr, campaign_id=campaign.pk)
    assert old.version == version
    assert (old.done, old.total, old.moved) == (1, 1, everyone - 1)
    follow_up = old.superseded_by
    assert follow_up.version == v2
    new = campaign_get(user=hr, campaign_id=follow_up.pk)
    assert (new.done, new.total) == (0, everyone - 1)
    reattest = Campaign.objects.get(audience=Campaign.Audience.REATTEST)
    assert campaign_get(user=hr, campaign_id=reattest.pk).done == 0  # nobody read v2 yet

    page = client_for(hr).get(f"/onboarding/campaigns/{campaign.pk}/").content.decode()
    assert "Launched with Social media policy v1" in page
    assert "acknowledged version 1" in page and "moved to" in page
    dashboard = client_for(hr).get("/onboarding/").content.decode()
    assert "superseded" in dashboard


def test_completion_for_a_version_counts_only_attestations_of_that_version(
    hr, employee, employee2, comms, version, django_capture_on_commit_callbacks
):
    campaign = make_campaign(hr=hr, version=version)
    _attest(campaign.assignments.get(person=employee.person), user=employee)
    v2 = publish_version(author=comms, previous=version, material=True,
                         capture=django_capture_on_commit_callbacks)
    follow_up = Campaign.objects.get(pk=campaign.pk).superseded_by
    _attest(follow_up.assignments.get(person=employee2.person), user=employee2)

    rows = {c.pk: (c.version.number, c.done) for c in campaign_list_for(user=hr)}
    assert rows[campaign.pk] == (1, 1)  # only Emery's v1 acknowledgment
    assert rows[follow_up.pk][0] == 2 and rows[follow_up.pk][1] == 1  # only Sam's v2 one
    assert Assignment.objects.get(campaign=campaign, person=employee2.person).status == (
        Assignment.Status.SUPERSEDED)
    del v2


def test_starting_a_campaign_says_why_someone_was_not_asked(
    client_for, hr, employee, employee2, version
):
    make_campaign(hr=hr, version=version, name="First")  # everyone has an open request
    started = campaign_start(organization=hr.organization, actor=hr, name="Second",
                             version_id=version.pk, audience=Campaign.Audience.EVERYONE)
    assert started.asked == 0 and started.already_open == started.audience > 0
    assert started.summary().startswith(f"0 of {started.audience} people asked: "
                                        f"{started.audience} already have an open request")

    department = employee.person.department
    response = client_for(hr).post("/onboarding/campaigns/new/", {
        "name": "Dept", "version": version.pk, "audience": "department",
        "department": department.pk, "due_days": 14}, follow=True)
    assert "already has an open request" in response.content.decode() or \
        "already have an open request" in response.content.decode()


def test_remind_all_pending_previews_then_sends_once_per_day(
        client_for, hr, employee, employee2, version, django_capture_on_commit_callbacks):
    campaign = make_campaign(hr=hr, version=version)
    _attest(campaign.assignments.get(person=employee.person), user=employee)
    pending = campaign.assignments.filter(status="pending").count()
    client = client_for(hr)

    page = client.get(f"/onboarding/campaigns/{campaign.pk}/").content.decode()
    assert f"Remind all pending ({pending})" in page
    preview = client.get(f"/onboarding/campaigns/{campaign.pk}/remind/").content.decode()
    assert 'data-testid="remind-preview"' in preview and employee2.person.email in preview
    assert f"{employee.person.email} " not in preview.split("remind-preview")[1]
    assert not mail.outbox  # a preview sends nothing

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # notify() e-mails after commit
        done = client.post(f"/onboarding/campaigns/{campaign.pk}/remind/",
                           {"expected": pending}, follow=True)
    assert f"Reminder sent to {pending} " in done.content.decode()
    assert len(mail.outbox) == pending

    again = client.get(f"/onboarding/campaigns/{campaign.pk}/remind/").content.decode()
    assert "already reminded today" in again and "Nobody to remind right now" in again


def test_remind_all_refuses_when_the_list_changed_since_the_preview(hr, employee, version):
    campaign = make_campaign(hr=hr, version=version)
    with pytest.raises(Conflict, match="list changed"):
        campaign_remind_pending(campaign=campaign, actor=hr, expected=999)
    assert not mail.outbox


def test_only_hr_reminds_and_other_organizations_campaigns_are_404(
    client_for, hr, manager, outsider, version
):
    campaign = make_campaign(hr=hr, version=version)
    assert client_for(manager).get(
        f"/onboarding/campaigns/{campaign.pk}/remind/").status_code == 403
    assert client_for(outsider).get(
        f"/onboarding/campaigns/{campaign.pk}/remind/").status_code == 404
    assert client_for(outsider).post(
        f"/onboarding/campaigns/{campaign.pk}/remind/").status_code == 404


def test_the_campaign_page_filters_and_paginates(client_for, org, hr, employee, employee2,
                                                 version):
    from chorus.onboarding.services import person_add

    for n in range(55):
        person_add(organization=org, actor=hr, full_name=f"Zed Person {n:02d}",
                   email=f"zed{n}@northwind.example", status="employee",
                   department="Warehouse")
    campaign = make_campaign(hr=hr, version=version)
    _attest(campaign.assignments.get(person=employee.person), user=employee)
    client = client_for(hr)

    first = client.get(f"/onboarding/campaigns/{campaign.pk}/").content.decode()
    assert "Page 1 of 2" in first
    done = client.get(f"/onboarding/campaigns/{campaign.pk}/?status=done").content.decode()
    assert employee.person.full_name in done and employee2.person.full_name not in done
    found = client.get(f"/onboarding/campaigns/{campaign.pk}/?q=zed+person+07").content.decode()
    assert "Zed Person 07" in found and "Zed Person 08" not in found
    dept = employee.person.department
    by_dept = client.get(
        f"/onboarding/campaigns/{campaign.pk}/?department={dept.pk}").content.decode()
    assert "Zed Person" not in by_dept
    second = client.get(f"/onboarding/campaigns/{campaign.pk}/?page=2&status=pending"
                        ).content.decode()
    assert "Page 2 of 2" in second and "status=pending" in second
