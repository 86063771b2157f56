"""Issue 13: no main page's query count grows with the data.

The demo organization is measured once, grown (more people in a deeper manager tree, content,
shares, clicks, assignments, attestations, decided incidents, reports), and measured again:
every page must run exactly as many queries at both sizes. Timing is `bench/pages_at_volume.py`.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chorus.advocacy.models import Click, ContentItem, Share
from chorus.advocacy.rollups import click_rollups_build
from chorus.incidents.models import Incident
from chorus.onboarding.models import Assignment, Attestation
from chorus.people.models import Department, Organization, Person, User
from chorus.people.seed import DEMO_SLUG, seed_demo
from chorus.reports.models import Report

pytestmark = pytest.mark.django_db

PAGES = [
    ("hr", "/"), ("hr", "/onboarding/"), ("hr", "/onboarding/people/"),
    ("hr", "/onboarding/evidence/"), ("hr", "/reports/queue/"), ("hr", "/incidents/"),
    ("hr", "/incidents/consistency/"),
    ("comms", "/"), ("comms", "/advocacy/hub/"), ("comms", "/advocacy/hub/analytics/"),
    ("comms", "/advocacy/hub/health/"), ("comms", "/advocacy/leaderboard/"),
    ("admin", "/"), ("admin", "/monitoring/overview/"), ("admin", "/audit/"),
    ("manager", "/"), ("manager", "/onboarding/"), ("manager", "/onboarding/people/"),
    ("manager", "/monitoring/overview/"),
    ("employee", "/"), ("employee", "/advocacy/"), ("employee", "/advocacy/me/"),
    ("employee", "/reports/"),
]


def _counts() -> dict[tuple[str, str], int]:
    counts = {}
    for role, url in PAGES:
        client = Client()
        client.force_login(User.objects.get(email=f"{role}@northwind.example"))
        client.get(url, secure=True)  # warm per-process caches (salts, settings)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, secure=True)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, (role, url, response.status_code)
        counts[(role, url)] = len(ctx.captured_queries)
    return counts


def _clone(obj, **changes):
    obj.pk = None
    obj.id = None
    obj._state.adding = True
    for key, value in changes.items():
        setattr(obj, key, value)
    return obj


def _grow(org: Organization, n: int, tag: str) -> None:
    """Add n people (three more levels below the demo manager), content and activity."""
    template_user = User.objects.get(email="employee@northwind.example")
    template_person = Person.objects.get(user=template_user)
    manager = Person.objects.get(email="manager@northwind.example")
    dept = Department.objects.create(organization=org, name=tag)
    users = User.objects.bulk_create([
        _clone(User.objects.get(pk=template_user.pk), email=f"{tag}{i}@northwind.example",
               full_name=f"{tag} {i}") for i in range(n)])
    people = []
    boss = manager
    for i, user in enumerate(users):
        person = _clone(Person.objects.get(pk=template_person.pk), user=user,
                        email=user.email, full_name=user.full_name, department=dept,
                        manager=boss)
        person.save()
        people.append(person)
        if i % 3 == 0:
            boss = person  # a deeper tree each third person
    for user in users:
        user.groups.add(*template_user.groups.all())
    assignment = Assignment.objects.filter(organization=org, status="done").first()
    attestation = Attestation.objects.filter(organization=org).first()
    for person in people:
        a = _clone(Assignment.objects.get(pk=assignment.pk), person=person)
        a.save()
        _clone(Attestation.objects.get(pk=attestation.pk), person=person, assignment=a).save()
    item = ContentItem.objects.filter(organization=org, status="approved").first()
    items = [_clone(ContentItem.objects.get(pk=item.pk), slug=f"{tag}-{i}", title=f"{tag} {i}")
             for i in range(n)]
    ContentItem.objects.bulk_create(items)
    share = Share.objects.filter(organization=org).first()
    now = timezone.now()
    shares = Share.objects.bulk_create([
        _clone(Share.objects.get(pk=share.pk), code=f"{tag}{i}", user=users[i % len(users)],
               item=items[i % len(items)], confirmed_at=now) for i in range(3 * n)])
    Click.objects.bulk_create([
        Click(share=shares[i % len(shares)], day=(now - datetime.timedelta(days=i % 5)).date(),
              visitor=f"{tag}{i:027x}"[:32], created_at=now - datetime.timedelta(days=i % 5))
        for i in range(10 * n)])
    incident = Incident.objects.filter(organization=org, decided_at__isnull=False).first()
    for i, person in enumerate(people):
        _clone(Incident.objects.get(pk=incident.pk), subject=person, title=f"{tag} {i}",
               outcome=["coaching", "reminder"][i % 2]).save()
    report = Report.objects.filter(organization=org).first()
    for i in range(n):
        _clone(Report.objects.get(pk=report.pk), url=f"https://social.example/{tag}/{i}",
               url_normalized=f"https://social.example/{tag}/{i}").save()


def test_no_main_page_runs_more_queries_with_more_data(settings):
    settings.CHORUS_DEMO_ALLOWED = True
    seed_demo(force=True)
    org = Organization.objects.get(slug=DEMO_SLUG)
    # Two sizes of the same shape (so no branch differs, only the volume): 5 and 40 more
    # people, with their content and activity. Pages read closed days from the click rollup:
    # it is built at both sizes, as the worker does.
    _grow(org, 5, "small")
    click_rollups_build(organization_id=org.pk)
    small = _counts()
    _grow(org, 35, "large")
    click_rollups_build(organization_id=org.pk, rebuild=True)
    large = _counts()
    grew = {page: (small[page], large[page]) for page in PAGES if large[page] > small[page]}
    assert grew == {}
