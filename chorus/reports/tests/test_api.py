"""/api/v1/reports: same rules and scoping as the pages."""

from __future__ import annotations

import json

import pytest

from chorus.reports.models import Report, Submission
from chorus.reports.tests.conftest import submit

pytestmark = pytest.mark.django_db


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_an_employee_files_a_report_through_the_api(api_client, employee):
    response = _post(
        api_client(employee),
        "/api/v1/reports",
        {
            "url": "https://x.com/a/status/1?utm_source=x",
            "category": "impersonation",
            "description": "Fake CEO account asking for gift cards",
        },
    )

    assert response.status_code == 201
    assert response.json()["report"].startswith("R-") and response.json()["report_key"] is None
    assert Submission.objects.get().reporter == employee


def test_an_anonymous_api_report_returns_the_key_and_no_report_id(api_client, employee):
    response = _post(
        api_client(employee),
        "/api/v1/reports",
        {
            "url": "https://x.com/a/status/1",
            "category": "leak",
            "description": "Slides",
            "anonymous": True,
        },
    )

    body = response.json()
    assert body["report"] == "" and len(body["report_key"]) == 23
    assert Submission.objects.get().reporter is None


def test_a_bad_url_is_a_422_naming_the_field(api_client, employee):
    response = _post(
        api_client(employee),
        "/api/v1/reports",
        {"url": "ftp://x", "category": "leak", "description": "x"},
    )
    assert response.status_code == 422 and response.json()["field"] == "url"


def test_the_list_is_for_triagers_only(rules, api_client, employee, hr):
    submit(reporter=employee)

    assert api_client(employee).get("/api/v1/reports").status_code == 403
    listed = api_client(hr).get("/api/v1/reports").json()
    assert [r["category"] for r in listed] == ["harassment"]


def test_get_and_transition_with_scoping(rules, api_client, employee, hr, outsider):
    report = submit(reporter=employee).report
    url = f"/api/v1/reports/{report.pk}"

    assert api_client(outsider).get(url).status_code == 404
    assert api_client(employee).get(url).status_code == 404
    assert api_client(hr).get(url).json()["submission_count"] == 1

    ok = _post(api_client(hr), url + "/transition", {"to": "triaging"})
    bad = _post(api_client(hr), url + "/transition", {"to": "closed", "reason": "x"})

    assert ok.status_code == 200 and ok.json()["status"] == "triaging"
    assert bad.status_code == 409
    assert Report.objects.get().status == "triaging"
