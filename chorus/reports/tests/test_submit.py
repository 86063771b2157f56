"""Reporting a post through the page: validation, files, anonymity and merging."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chorus.audit.models import AuditEntry
from chorus.reports.models import Evidence, Report, ReportEvent, Submission
from chorus.reports.tests.conftest import PNG, png, submit

pytestmark = pytest.mark.django_db

FORM = {
    "url": "https://x.com/troll/status/42",
    "category": "harassment",
    "description": "Threats aimed at a colleague in support.",
}


def test_the_form_explains_what_not_to_report_and_offers_only_lawful_categories(
    client_for, employee
):
    page = client_for(employee).get(reverse("reports:create")).content.decode()

    assert "What not to report" in page
    assert "pay, hours" in page and "organizing" in page
    for label in [
        "Harassment of a colleague",
        "Leak of confidential information",
        "Impersonation of the company or an executive",
        "Crisis or viral complaint",
        "Security or fraud",
        "Other",
    ]:
        assert label in page
    assert "union" not in page.split("What not to report")[0].lower()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a link", "no https://"),
        ("http://localhost:8000/x", "not a public website"),
        ("mailto:boss@example.com", "cannot be reported"),
    ],
)
def test_a_bad_url_is_refused_on_the_page_and_nothing_is_saved(client_for, employee, url, message):
    response = client_for(employee).post(reverse("reports:create"), {**FORM, "url": url})

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Report.objects.exists() and not Submission.objects.exists()


def test_an_unknown_host_needs_a_network_to_be_chosen(client_for, employee):
    client = client_for(employee)
    response = client.post(
        reverse("reports:create"), {**FORM, "url": "https://blog.example.org/p/1"}
    )
    assert response.status_code == 422
    assert "choose it from the list" in response.content.decode().lower()

    client.post(
        reverse("reports:create"), {**FORM, "url": "https://blog.example.org/p/1", "network": "web"}
    )
    assert Report.objects.get().network == "web"


def test_the_network_is_detected_from_the_link(employee):
    result = submit(reporter=employee, url="https://bsky.app/profile/troll.bsky.social/post/3k")
    assert result.report.network == "bluesky"


def test_a_wrong_type_file_is_refused_and_nothing_is_saved(client_for, employee):
    fake = SimpleUploadedFile("shot.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = client_for(employee).post(
        reverse("reports:create"), {**FORM, "screenshots": [png(), fake]}
    )

    assert response.status_code == 422
    assert "shot.png is not a PNG, JPEG, GIF or WebP image" in response.content.decode()
    assert not Report.objects.exists() and not Evidence.objects.exists()


def test_an_oversized_file_is_refused_with_the_limit(client_for, employee, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    big = png("huge.png", size=4096)
    response = client_for(employee).post(reverse("reports:create"), {**FORM, "screenshots": [big]})

    assert response.status_code == 422
    assert (
        "huge.png is" in response.content.decode() and "the limit is" in response.content.decode()
    )
    assert not Submission.objects.exists()


def test_screenshots_are_stored_with_their_sha256(client_for, employee):
    client_for(employee).post(reverse("reports:create"), {**FORM, "screenshots": [png("a.png")]})

    evidence = Evidence.objects.get()
    assert evidence.sha256 == hashlib.sha256(PNG).hexdigest()
    assert evidence.mime == "image/png" and evidence.original_name == "a.png"
    assert "a.png" not in evidence.file.name  # stored under a random name


def test_a_named_report_goes_to_my_reports(client_for, employee):
    response = client_for(employee).post(reverse("reports:create"), FORM, follow=True)

    assert response.redirect_chain[-1][0] == reverse("reports:mine")
    page = response.content.decode()
    assert "Thank you" in page and "x.com/troll/status/42" in page
    assert Submission.objects.get().reporter == employee


def test_an_anonymous_report_stores_no_identity_anywhere(client_for, employee):
    response = client_for(employee).post(reverse("reports:create"), {**FORM, "anonymous": "on"})

    assert response.status_code == 200
    key = response.context["key"]
    assert key in response.content.decode() and response["Cache-Control"] == "no-store"
    submission = Submission.objects.get()
    assert submission.reporter is None and submission.anonymous
    assert submission.key_hash == hashlib.sha256(key.replace("-", "").encode()).hexdigest()
    assert not ReportEvent.objects.filter(actor=employee).exists()
    entries = list(AuditEntry.objects.filter(action__startswith="reports."))
    assert entries and all(
        e.actor_id is None and employee.email not in e.actor_label for e in entries
    )
    assert not Submission.objects.filter(reporter=employee).exists()
    assert "x.com/troll" not in client_for(employee).get(reverse("reports:mine")).content.decode()


def test_reports_of_the_same_post_merge_and_show_the_count(employee, employee2, manager):
    first = submit(reporter=employee, url="https://x.com/troll/status/42")
    second = submit(
        reporter=employee2, url="HTTPS://www.X.com/troll/status/42/?utm_source=slack#top"
    )
    third = submit(reporter=manager, url="https://twitter.com/troll/status/42?s=20", anonymous=True)

    assert not first.merged and second.merged and third.merged
    report = Report.objects.get()
    assert report.submission_count == 3
    assert report.submissions.count() == 3
    assert ReportEvent.objects.filter(report=report, kind="merged").count() == 2


def test_reports_of_the_same_post_in_other_organizations_do_not_merge(employee, outsider):
    submit(reporter=employee)
    submit(reporter=outsider)

    assert Report.objects.count() == 2
    assert set(Report.objects.values_list("submission_count", flat=True)) == {1}


def test_a_closed_case_is_not_reopened_by_a_new_report(employee, employee2, hr):
    from chorus.reports.services import report_transition

    report = submit(reporter=employee).report
    report_transition(report=report, actor=hr, to="triaging", reason="")
    report_transition(
        report=report, actor=hr, to="no_action", reason="Satire", outcome="No action."
    )
    report_transition(report=report, actor=hr, to="closed", reason="Done")

    again = submit(reporter=employee2)
    assert not again.merged and again.report.pk != report.pk


def test_the_anonymous_key_page_offers_a_download_and_print_receipt(client_for, employee):
    page = client_for(employee).post(reverse("reports:create"), {**FORM, "anonymous": "on"})
    body = page.content.decode()
    assert 'download="chorus-report-key.txt"' in body and "data-print" in body
    assert "href=\"data:text/plain;charset=utf-8,Chorus%20anonymous%20report%20key" in body
    assert "private browser window" in client_for(employee).get(
        reverse("reports:create")).content.decode()


def test_staff_see_only_the_day_of_an_anonymous_submission(client_for, employee, hr, rules):
    from django.utils import timezone

    from chorus.reports.models import Submission

    client_for(employee).post(reverse("reports:create"), {**FORM, "anonymous": "on"})
    submission = Submission.objects.get(anonymous=True)
    page = client_for(hr).get(reverse("reports:detail", args=[submission.report_id]))
    body = page.content.decode()
    assert "anonymous: day only" in body
    clock = timezone.localtime(submission.created_at).strftime("%H:%M")
    assert clock not in body.split("<h2 class=\"card__title\">History</h2>")[1]


def test_the_queue_shows_only_the_day_an_anonymous_report_arrived_and_is_due(
    client_for, employee, employee2, hr, rules
):
    from django.utils import timezone

    from chorus.reports.models import Submission

    client_for(employee).post(reverse("reports:create"), {**FORM, "anonymous": "on"})
    anonymous = Submission.objects.get(anonymous=True).report
    queue = client_for(hr).get(reverse("reports:queue")).content.decode()
    row = next(r for r in queue.split("<tr>") if anonymous.reference in r)
    for moment in (anonymous.created_at, anonymous.due_at):
        assert timezone.localtime(moment).strftime("%H:%M") not in row
    assert f'datetime="{timezone.localtime(anonymous.created_at):%Y-%m-%d}"' in row
