"""Protected activity: the notice, and no incident (discipline) without a legal review."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from chorus.common.errors import PermissionDenied
from chorus.reports import services
from chorus.reports.models import ReportEvent
from chorus.reports.services import (
    ReportError,
    report_open_incident,
    report_record_legal_review,
    report_transition,
)
from chorus.reports.tests.conftest import submit

pytestmark = pytest.mark.django_db
needs_incidents = pytest.mark.skipif(
    not apps.is_installed("chorus.incidents"), reason="the incidents app is not installed"
)


@pytest.fixture
def protected(monkeypatch):
    """The screening engine flags every report as protected activity."""
    monkeypatch.setattr(
        services.submitting, "screen_for_protected_activity", lambda **kw: (True, True)
    )


@pytest.fixture
def not_protected(monkeypatch):
    monkeypatch.setattr(
        services.submitting, "screen_for_protected_activity", lambda **kw: (True, False)
    )


@pytest.mark.skipif(not apps.is_installed("chorus.checks"), reason="screening app not installed")
def test_the_real_engine_flags_talk_about_pay_and_organizing(rules, employee, org):
    text = (
        "Colleague posted that we are all underpaid and should organize a union "
        "to talk to management about our wages and working conditions."
    )
    screened, protected_flag = services.screen_for_protected_activity(
        organization=org, texts=[text]
    )
    assert screened and protected_flag


def test_the_triager_sees_the_protected_activity_notice(protected, rules, employee, hr, client_for):
    report = submit(reporter=employee, description="She posted that our pay is unfair").report
    page = client_for(hr).get(reverse("reports:detail", args=[report.pk])).content.decode()

    assert report.protected_activity
    assert "This may be protected activity" in page
    assert "must not be treated as misconduct" in page
    assert "cannot be opened until legal records a review" in page


def test_no_incident_without_a_legal_review(protected, rules, employee, hr):
    report = submit(reporter=employee).report
    report_transition(report=report, actor=hr, to="triaging", reason="")

    with pytest.raises(ReportError) as exc:
        report_open_incident(report=report, actor=hr)

    assert "legal reviewer has to record a review" in exc.value.message
    report.refresh_from_db()
    assert report.incident_ref == ""


def test_only_the_legal_role_records_a_legal_review(protected, rules, employee, hr, legal):
    report = submit(reporter=employee).report
    with pytest.raises(PermissionDenied):
        report_record_legal_review(report=report, actor=hr, note="Looks fine")

    report_record_legal_review(
        report=report, actor=legal, note="Threats, not concerted activity; discipline may proceed."
    )

    report.refresh_from_db()
    assert report.legal_review_by == legal and not report.needs_legal_review
    assert ReportEvent.objects.filter(report=report, kind="legal_review", actor=legal).exists()


def test_the_legal_review_is_recorded_through_the_page(
    protected, rules, employee, legal, client_for
):
    report = submit(reporter=employee).report
    client = client_for(legal)
    assert (
        "Record legal review"
        in client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    )

    client.post(reverse("reports:legal-review", args=[report.pk]), {"note": "Reviewed: not §7."})

    report.refresh_from_db()
    assert report.legal_review_note == "Reviewed: not §7."


@needs_incidents
def test_after_legal_review_an_incident_opens_and_is_linked(protected, rules, employee, hr, legal):
    report = submit(reporter=employee).report
    report_transition(report=report, actor=hr, to="triaging", reason="")
    report_record_legal_review(report=report, actor=legal, note="Not protected: threats.")

    incident = report_open_incident(report=report, actor=hr)

    report.refresh_from_db()
    assert report.incident_ref == str(incident.pk)
    assert ReportEvent.objects.filter(report=report, kind="incident").exists()
    with pytest.raises(ReportError):
        report_open_incident(report=report, actor=hr)


@needs_incidents
def test_a_report_without_protected_signals_opens_an_incident_directly(
    not_protected, rules, employee, hr
):
    report = submit(reporter=employee).report
    assert not report.needs_legal_review
    incident = report_open_incident(report=report, actor=hr)
    assert incident.pk
