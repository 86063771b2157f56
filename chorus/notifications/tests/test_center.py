"""The in-app center (bell, list, mark read), its API, the installable app's files, and the
admin pages (role defaults, delivery log)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chorus.notifications.kinds import NotificationKind, register_kind
from chorus.notifications.models import Delivery, Notification, RoleDefault
from chorus.notifications.services import notify

register_kind(NotificationKind("tests.center", "A center test"))
register_kind(NotificationKind("tests.center_secret", "A secret center test", sensitive=True,
                               neutral_title="Open Chorus"))  # fmt: skip

pytestmark = pytest.mark.django_db


def _notes(org, user, n=3):
    return [notify(kind="tests.center", recipients=[user], organization=org,
                   title=f"Note {i}", link="/advocacy/")[0] for i in range(n)]  # fmt: skip


def test_the_bell_shows_the_unread_count_on_every_page_with_one_query(
    org, employee, client_for
):
    _notes(org, employee, 3)
    client = client_for(employee)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").content.decode()
    assert 'id="notification-bell"' in page and ">3<" in page.replace(" ", "").replace("\n", "")
    assert "3 unread" in page
    counting = [q for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    assert len(counting) == 1


def test_the_list_marks_one_read_with_htmx_and_updates_the_bell(org, employee, client_for):
    first, *_ = _notes(org, employee, 2)
    client = client_for(employee)
    page = client.get("/notifications/").content.decode()
    assert "Note 0" in page and "Note 1" in page and "Mark all read" in page

    fragment = client.post(f"/notifications/{first.pk}/read", HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body
    assert f'id="notification-{first.pk}"' in body and 'hx-swap-oob="true"' in body
    assert "1 unread" in body
    first.refresh_from_db()
    assert first.read_at is not None

    client.post("/notifications/read-all", HTTP_HX_REQUEST="true")
    assert not Notification.objects.filter(recipient=employee, read_at__isnull=True).exists()


def test_opening_a_notification_marks_it_read_and_follows_its_link(org, employee, client_for):
    [note] = _notes(org, employee, 1)
    response = client_for(employee).get(f"/notifications/{note.pk}/open")
    assert response.status_code == 302 and response["Location"] == "/advocacy/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_another_persons_notification_is_a_404_on_pages_and_api(
    org, employee, employee2, outsider, client_for, api_client
):
    [note] = _notes(org, employee, 1)
    for other in (employee2, outsider):
        client = client_for(other)
        assert client.post(f"/notifications/{note.pk}/read").status_code == 404
        assert client.get(f"/notifications/{note.pk}/open").status_code == 404
        api = api_client(other)
        assert api.post(f"/api/v1/notifications/{note.pk}/read").status_code == 404
        assert note.title not in api.get("/api/v1/notifications").content.decode()
    note.refresh_from_db()
    assert note.read_at is None


def test_the_api_lists_counts_and_marks_read(org, employee, api_client):
    notes = _notes(org, employee, 3)
    api = api_client(employee)
    listing = api.get("/api/v1/notifications?limit=2").json()
    assert listing["count"] == 3 and listing["unread"] == 3 and len(listing["items"]) == 2
    assert listing["items"][0]["title"] == "Note 2"
    assert api.get("/api/v1/notifications/unread-count").json() == {"unread": 3}
    assert api.post(f"/api/v1/notifications/{notes[0].pk}/read").json()["read_at"]
    assert api.get("/api/v1/notifications/unread-count").json() == {"unread": 2}
    assert api.get("/api/v1/notifications?unread=true").json()["count"] == 2
    assert api.post("/api/v1/notifications/read-all").json() == {"marked": 2}
    assert api.get("/api/v1/notifications/unread-count").json() == {"unread": 0}
    assert api.get("/api/v1/notifications?limit=0").status_code == 422
    assert api.post("/api/v1/notifications/99999999999/read").status_code == 422


def test_preferences_through_the_api_refuse_bad_input_clearly(employee, api_client):
    api = api_client(employee)
    put = lambda body: api.put("/api/v1/notifications/preferences", data=json.dumps(body),  # noqa: E731
                               content_type="application/json")
    assert put({"channels": {"tests.center": ["pigeon"]}}).json()["detail"].startswith(
        "Unknown channel 'pigeon'")
    assert put({"channels": {"tests.nope": []}}).status_code == 422
    assert put({"digest": "hourly"}).json()["field"] == "digest"
    assert put({"quiet_start": "22:00"}).json()["field"] == "quiet_end"
    ok = put({"channels": {"tests.center": []}, "quiet_start": "22:00", "quiet_end": "07:00",
              "digest": "daily"}).json()
    assert ok["channels"]["tests.center"] == [] and ok["digest"] == "daily"
    assert ok["quiet_start"] == "22:00:00"


def test_the_preferences_page_saves_channels_quiet_hours_and_digest(employee, client_for):
    client = client_for(employee)
    page = client.get("/notifications/preferences/").content.decode()
    assert "A center test" in page and "Quiet hours" in page
    response = client.post("/notifications/preferences/", {
        "row:tests.center": "1", "quiet_start": "21:30", "quiet_end": "06:45",
        "digest": "weekly",
    })  # fmt: skip
    assert response.status_code == 302
    from chorus.notifications.services import preferences_for

    choices = preferences_for(user=employee)
    assert choices.channels["tests.center"] == [] and choices.digest == "weekly"
    bad = client.post("/notifications/preferences/", {"quiet_start": "25:99", "quiet_end": ""})
    assert bad.status_code == 422 and "22:00" in bad.content.decode()


def test_role_defaults_are_admin_only_and_apply_to_the_role(
    org, admin, employee, manager, client_for, django_capture_on_commit_callbacks
):
    assert client_for(employee).get("/notifications/defaults/").status_code == 403
    client = client_for(admin)
    assert "Defaults for employee" in client.get("/notifications/defaults/").content.decode()
    response = client.post("/notifications/defaults/", {"role": "employee",
                                                       "row:tests.center": "1"})
    assert response.status_code == 302
    assert RoleDefault.objects.get(organization=org, role="employee").channels == {
        "tests.center": []}
    [to_employee] = notify(kind="tests.center", recipients=[employee], organization=org,
                           title="x")
    assert not to_employee.deliveries.exists()  # employees: in Chorus only, by default


def test_the_delivery_log_is_admin_only_and_hides_sensitive_titles(
    org, admin, hr, employee, client_for
):
    notify(kind="tests.center_secret", recipients=[hr], organization=org,
           title="Report about Emery Diaz")
    assert client_for(employee).get("/notifications/deliveries/").status_code == 403
    page = client_for(admin).get("/notifications/deliveries/").content.decode()
    assert "Open Chorus" in page and "Emery" not in page
    assert Delivery.objects.count() == 1


def test_the_manifest_and_service_worker_are_served_from_the_root(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = manifest.json()
    assert data["display"] == "standalone" and data["scope"] == "/"
    assert {"192x192", "512x512"} <= {i["sizes"] for i in data["icons"]}
    assert {s["url"] for s in data["shortcuts"]} == {"/advocacy/", "/check/", "/reports/new/",
                                                     "/onboarding/me/"}
    worker = client.get("/sw.js")
    assert worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/" and worker["Cache-Control"] == "no-cache"
    body = worker.content.decode()
    assert "/offline/" in body and "/static/" in body and '"/check/"' in body
    assert "{%" not in body and "&quot;" not in body
    offline = client.get("/offline/")
    assert offline.status_code == 200 and b"You are offline" in offline.content


def test_every_page_links_the_manifest_and_loads_no_inline_script(employee, client_for):
    page = client_for(employee).get("/notifications/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert "<script>" not in page and "style=" not in page
