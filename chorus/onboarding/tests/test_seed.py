import pytest

from chorus.onboarding.models import Assignment, Attestation, Campaign
from chorus.people.models import Organization
from chorus.people.seed import seed_demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_campaign_with_people_done_and_pending_and_a_candidate():
    seed_demo()
    org = Organization.objects.get(slug="northwind-robotics")

    campaign = Campaign.objects.get(organization=org, audience=Campaign.Audience.EVERYONE)
    statuses = set(campaign.assignments.values_list("status", flat=True))
    assert statuses == {"done", "pending"}
    assert Attestation.objects.filter(organization=org).count() == 6
    emery = Assignment.objects.get(campaign=campaign, person__email__startswith="employee@")
    assert emery.status == "done"
    riley = Assignment.objects.get(campaign=campaign, person__email__startswith="riley")
    assert riley.person.onboarding.stage == "pre_boarding" and riley.status == "pending"
