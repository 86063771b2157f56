from __future__ import annotations

import datetime
from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from chorus.advocacy.models import AdvocateProfile, Share
from chorus.advocacy.services import settings_update, share_create
from chorus.advocacy.tests.conftest import make_item
from chorus.common.errors import InvalidInput, NotFound, PermissionDenied
from chorus.people.services import person_set_advocacy_paused

pytestmark = pytest.mark.django_db

HASHTAG = "#NorthwindRoboticsEmployee"  # the balanced preset's default for the org name


def test_mastodon_share_opens_the_employees_own_instance_with_the_exact_text(
        employee, approved_item):
    share = share_create(user=employee, item=approved_item, network="mastodon",
                         text="I helped build this lab!", mastodon_instance="https://Fosstodon.org/")

    link = f"{settings.SITE_URL}/l/{share.code}"
    assert share.text == f"I helped build this lab! {HASHTAG}"
    assert share.intent_url == (
        "https://fosstodon.org/share?text="
        + quote(f"I helped build this lab! {HASHTAG} {link}", safe="")
    )
    assert AdvocateProfile.objects.get(user=employee).mastodon_instance == "fosstodon.org"
    assert share.target_url == (
        "https://northwind.example/news/lab?ref=home&utm_source=mastodon"
        "&utm_medium=employee_advocacy&utm_campaign=we-opened-a-new-lab"
    )


@pytest.mark.parametrize(("network", "prefix"), [
    ("x", "https://x.com/intent/tweet?text="),
    ("bluesky", "https://bsky.app/intent/compose?text="),
    ("linkedin", "https://www.linkedin.com/sharing/share-offsite/?url="),
    ("facebook", "https://www.facebook.com/sharer/sharer.php?u="),
])
def test_every_network_gets_its_documented_intent(employee, approved_item, network, prefix):
    share = share_create(user=employee, item=approved_item, network=network, text="Proud of this")
    link = quote(f"{settings.SITE_URL}/l/{share.code}", safe="")
    assert share.intent_url.startswith(prefix)
    assert link in share.intent_url


def test_the_disclosure_cannot_be_removed_but_is_not_doubled(employee, approved_item):
    plain = share_create(user=employee, item=approved_item, network="x", text="Nice lab")
    assert plain.text.endswith(HASHTAG)
    kept = share_create(user=employee, item=approved_item, network="x",
                        text=f"Nice lab {HASHTAG.lower()} indeed")
    assert kept.text == f"Nice lab {HASHTAG.lower()} indeed"


def test_a_paused_person_cannot_share(employee, hr, approved_item):
    person_set_advocacy_paused(person=employee.person, paused=True, actor=hr, reason="incident")
    employee.refresh_from_db()
    with pytest.raises(PermissionDenied, match="paused"):
        share_create(user=employee, item=approved_item, network="x", text="Hello")
    assert not Share.objects.exists()


def test_a_blocked_text_is_refused_and_nothing_is_recorded(employee, approved_item):
    with pytest.raises(InvalidInput) as exc:
        share_create(user=employee, item=approved_item, network="linkedin",
                     text="Our AWS key is AKIAIOSFODNN7EXAMPLE, enjoy")
    assert exc.value.field == "text"
    assert not Share.objects.exists()


def test_daily_limit_and_sharing_hours_are_enforced(employee, comms, approved_item):
    settings_update(actor=comms, leaderboard_enabled=False, daily_share_limit=2,
                    sharing_hours={"x": (9, 17)}, disabled_networks=["facebook"],
                    duplicate_nudge_threshold=3)
    noon = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    evening = noon.replace(hour=20)
    with pytest.raises(PermissionDenied, match="09:00 to 17:00"):
        share_create(user=employee, item=approved_item, network="x", text="Hi", now=evening)
    with pytest.raises(PermissionDenied, match="does not share to Facebook"):
        share_create(user=employee, item=approved_item, network="facebook", text="Hi", now=noon)
    share_create(user=employee, item=approved_item, network="x", text="One", now=noon)
    share_create(user=employee, item=approved_item, network="bluesky", text="Two", now=noon)
    with pytest.raises(PermissionDenied, match="daily limit"):
        share_create(user=employee, item=approved_item, network="mastodon", text="Three",
                     mastodon_instance="mastodon.social", now=noon)


def test_mastodon_needs_a_valid_instance(employee, approved_item):
    with pytest.raises(InvalidInput) as exc:
        share_create(user=employee, item=approved_item, network="mastodon", text="Hi")
    assert exc.value.field == "mastodon_instance"
    with pytest.raises(InvalidInput, match="not a Mastodon server"):
        share_create(user=employee, item=approved_item, network="mastodon", text="Hi",
                     mastodon_instance="not a domain")


def test_drafts_expired_and_other_departments_items_cannot_be_shared(employee, comms, admin):
    draft = make_item(author=comms, title="Draft")
    with pytest.raises(NotFound):
        share_create(user=employee, item=draft, network="x", text="Hi")
    past = timezone.now() - datetime.timedelta(days=2)
    expired = make_item(author=comms, approver=admin, title="Old", publish_at=past,
                        expires_at=past + datetime.timedelta(days=1))
    with pytest.raises(NotFound):
        share_create(user=employee, item=expired, network="x", text="Hi")


def test_feed_shows_only_current_items_for_my_department(client_for, employee, employee2, comms,
                                                        admin, django_assert_max_num_queries):
    from chorus.people.models import Department

    sales = Department.objects.get(name="Sales")
    for n in range(4):
        make_item(author=comms, approver=admin, title=f"For everyone {n}")
    make_item(author=comms, approver=admin, title="Sales kickoff", audience=[sales])
    make_item(author=comms, title="Still a draft")
    client = client_for(employee)
    # 16 before issue 19; issue 13's paging and the posture checks make 17, +1 the "Follow us" box
    # (the organization's official accounts, one query).
    with django_assert_max_num_queries(18):
        page = client.get(reverse("advocacy:feed")).content.decode()
    assert page.count("Share this") == 4
    assert "Sales kickoff" not in page and "Still a draft" not in page
    assert "Sales kickoff" in client_for(employee2).get(reverse("advocacy:feed")).content.decode()


def test_share_page_posts_and_lands_on_the_intent_button(client_for, employee, approved_item):
    client = client_for(employee)
    url = reverse("advocacy:share", args=[approved_item.pk]) + "?network=mastodon"
    page = client.get(url)
    assert page.status_code == 200 and HASHTAG in page.content.decode()
    response = client.post(url, {"network": "mastodon", "text": "Proud of the Lisbon team",
                                 "mastodon_instance": "mastodon.social"})
    share = Share.objects.get()
    assert response.status_code == 302
    ready = client.get(response["Location"]).content.decode()
    assert share.intent_url.replace("&", "&amp;") in ready


def test_share_page_shows_errors_on_the_field(client_for, employee, approved_item):
    url = reverse("advocacy:share", args=[approved_item.pk])
    response = client_for(employee).post(url, {"network": "mastodon", "text": "Hi",
                                                "mastodon_instance": "nope"})
    assert response.status_code == 200
    assert "not a Mastodon server" in response.context["form"].errors["mastodon_instance"][0]


def test_live_check_marks_findings_and_nudges_identical_posts(client_for, employee, employee2,
                                                             manager, comms, approved_item):
    from chorus.advocacy.services import settings_update

    settings_update(actor=comms, leaderboard_enabled=False, daily_share_limit=10,
                    sharing_hours={}, disabled_networks=[], duplicate_nudge_threshold=2)
    for user in (employee2, manager):
        share_create(user=user, item=approved_item, network="x", text="Our new lab is open")
    url = reverse("advocacy:share-check", args=[approved_item.pk])
    client = client_for(employee)
    same = client.post(url, {"network": "x", "text": "our new lab is open!!"},
                       HTTP_HX_REQUEST="true").content.decode()
    assert "2 colleagues already posted exactly this" in same
    assert HASHTAG in same
    leak = client.post(url, {"network": "x", "text": "key AKIAIOSFODNN7EXAMPLE"},
                       HTTP_HX_REQUEST="true").content.decode()
    assert 'mark class="finding finding--block"' in leak
    assert "Don&#x27;t post this" in leak or "Don't post this" in leak
