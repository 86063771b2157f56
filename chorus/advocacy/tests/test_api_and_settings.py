from __future__ import annotations

import pytest
from django.urls import reverse

from chorus.advocacy.models import AdvocacySettings, ContentItem
from chorus.advocacy.tests.conftest import make_item

pytestmark = pytest.mark.django_db

CONTENT = {
    "title": "API item", "body": "From the API.", "link": "https://northwind.example/api",
    "captions": [{"network": "x", "text": "Hello from the API"}], "audience": ["Engineering"],
}


def test_api_create_submit_approve_share(api_client, comms, admin, employee):
    created = api_client(comms).post("/api/v1/advocacy/content", CONTENT,
                                     content_type="application/json")
    assert created.status_code == 201, created.content
    item_id = created.json()["id"]
    assert api_client(comms).post(f"/api/v1/advocacy/content/{item_id}/submit", {},
                                  content_type="application/json").status_code == 200
    own = api_client(comms).post(f"/api/v1/advocacy/content/{item_id}/approve", {},
                                 content_type="application/json")
    assert own.status_code == 403 and "someone else" in own.json()["detail"]
    approved = api_client(admin).post(f"/api/v1/advocacy/content/{item_id}/approve", {},
                                      content_type="application/json")
    assert approved.json()["status"] == "approved"
    feed = api_client(employee).get("/api/v1/advocacy/content").json()
    assert [i["id"] for i in feed] == [item_id]
    share = api_client(employee).post("/api/v1/advocacy/shares", {
        "item_id": item_id, "network": "x", "text": "Proud!"}, content_type="application/json")
    assert share.status_code == 201
    assert share.json()["intent_url"].startswith("https://x.com/intent/tweet?text=Proud%21")
    mine = api_client(employee).get("/api/v1/advocacy/shares").json()
    assert len(mine) == 1 and mine[0]["clicks"] == 0


def test_api_errors_name_the_field(api_client, comms, employee):
    bad = api_client(comms).post("/api/v1/advocacy/content", {**CONTENT, "link": "nope"},
                                 content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "link"
    dept = api_client(comms).post("/api/v1/advocacy/content", {**CONTENT, "audience": ["Moon"]},
                                  content_type="application/json")
    assert dept.status_code == 422 and dept.json()["field"] == "audience"
    forbidden = api_client(employee).post("/api/v1/advocacy/content", CONTENT,
                                          content_type="application/json")
    assert forbidden.status_code == 403
    assert api_client(employee).get("/api/v1/advocacy/analytics").status_code == 403


def test_api_is_scoped_to_the_organization(api_client, comms, admin, outsider):
    item = make_item(author=comms, approver=admin)
    assert api_client(outsider).get(f"/api/v1/advocacy/content/{item.pk}").status_code == 404
    assert api_client(outsider).get("/api/v1/advocacy/content").json() == []
    analytics = api_client(comms).get("/api/v1/advocacy/analytics?days=7").json()
    assert analytics["shares"] == 0 and len(analytics["by_day"]) == 7


def test_settings_page_saves_hours_and_refuses_bad_ranges(client_for, comms, org):
    client = client_for(comms)
    data = {"daily_share_limit": 3, "duplicate_nudge_threshold": 4, "leaderboard_enabled": "on"}
    for network in ("x", "bluesky", "mastodon", "linkedin", "facebook"):
        data.update({f"enabled_{network}": "on", f"start_{network}": 0, f"end_{network}": 24})
    data.update({"start_x": 8, "end_x": 20})
    assert client.post(reverse("advocacy:settings"), data).status_code == 302
    saved = AdvocacySettings.objects.get(organization=org)
    assert (saved.sharing_hours, saved.daily_share_limit, saved.leaderboard_enabled) == (
        {"x": [8, 20]}, 3, True)
    data.update({"start_x": 20, "end_x": 8})
    response = client.post(reverse("advocacy:settings"), data)
    assert "must run from an earlier hour" in response.context["form"].errors["start_x"][0]
    assert AdvocacySettings.objects.get(organization=org).sharing_hours == {"x": [8, 20]}


def test_guidance_cards_appear_in_the_feed(client_for, comms, employee):
    client = client_for(comms)
    client.post(reverse("advocacy:guidance"), {"kind": "dont", "title": "No customer names",
                                               "body": "Unless public.", "position": 0,
                                               "is_active": "on"})
    client.post(reverse("advocacy:guidance"), {"kind": "do", "title": "", "body": "x",
                                               "position": 0})
    feed = client_for(employee).get(reverse("advocacy:feed")).content.decode()
    assert "No customer names" in feed


def test_preferences_page_validates_the_instance(client_for, employee):
    response = client_for(employee).post(reverse("advocacy:me"), {"mastodon_instance": "a b"})
    assert "not a Mastodon server" in response.context["form"].errors["mastodon_instance"][0]
    ok = client_for(employee).post(reverse("advocacy:me"),
                                   {"mastodon_instance": "https://hachyderm.io/@me"})
    assert ok.status_code == 302
    assert employee.advocate_profile.mastodon_instance == "hachyderm.io"


def test_dashboard_card_counts_items_to_review(client_for, comms, admin):
    item = make_item(author=comms)
    from chorus.advocacy.services import content_transition

    content_transition(item=item, actor=comms, to_status=ContentItem.Status.IN_REVIEW)
    page = client_for(admin).get(reverse("dashboard")).content.decode()
    assert "1 to review" in page
