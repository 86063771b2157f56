"""Issue 21: quiet periods and crisis mode, through the pages and the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chorus.advocacy.models import ContentItem
from chorus.advocacy.tests.conftest import make_item
from chorus.audit.models import AuditEntry
from chorus.checks.services import screen_text
from chorus.common.errors import InvalidInput, PermissionDenied
from chorus.notifications.models import Notification
from chorus.posture import services
from chorus.posture.models import CrisisChange, CrisisReport, QuietPeriod
from chorus.reports.models import Category, Report
from chorus.reports.services import report_submit

pytestmark = pytest.mark.django_db


def quiet(org, comms, **overrides):
    data = {
        "organization": org, "actor": comms, "name": "Q4 earnings blackout", "kind": "earnings",
        "reason": "We publish results on 15 January; until then nothing about numbers.",
        "starts_at": timezone.now() - timedelta(hours=1),
        "ends_at": timezone.now() + timedelta(days=3),
        "terms": "NWR\nquarterly results\nKestrel",
    }
    data.update(overrides)
    return services.quiet_period_create(**data)


def crisis_on(org, comms, team, **overrides):
    data = {
        "organization": org, "actor": comms, "topic": "Lisbon warehouse fire",
        "terms": "warehouse fire\nLisbon fire", "holding_statement":
        "Everyone is safe. We will share more when we know more.",
        "contact": "press@northwind.example", "sla_hours": 2, "response_team": team,
    }
    data.update(overrides)
    crisis = services.crisis_request(**data)
    return services.crisis_confirm(organization=org, actor=comms, code=crisis.confirm_code)


# --------------------------------------------------------------------------- quiet periods


def test_an_active_quiet_period_blocks_its_terms_and_ends_by_itself(org, comms):
    text = "Can't wait for our quarterly results next week!"
    assert screen_text(organization=org, text=text).verdict == "allow"
    period = quiet(org, comms)
    result = screen_text(organization=org, text=text)
    assert result.verdict == "block"
    assert [f.rule_id for f in result.findings] == [f"context.quiet.{period.pk}"]
    assert "We publish results on 15 January" in result.findings[0].message

    QuietPeriod.objects.filter(pk=period.pk).update(ends_at=timezone.now() - timedelta(minutes=1),
                                                    starts_at=timezone.now() - timedelta(days=1))
    assert screen_text(organization=org, text=text).verdict == "allow"


def test_a_future_quiet_period_does_not_apply_yet(org, comms):
    quiet(org, comms, starts_at=timezone.now() + timedelta(days=1),
          ends_at=timezone.now() + timedelta(days=2))
    assert screen_text(organization=org, text="quarterly results soon").verdict == "allow"


def test_employees_see_the_quiet_period_with_reason_and_end(client_for, org, comms, employee):
    quiet(org, comms)
    for url in (reverse("checks:check"), reverse("advocacy:feed"), "/"):
        page = client_for(employee).get(url).content.decode()
        assert "Q4 earnings blackout" in page and "We publish results on 15 January" in page
        assert "until" in page


@pytest.mark.parametrize("field,overrides", [
    ("name", {"name": "  "}),
    ("reason", {"reason": ""}),
    ("kind", {"kind": "party"}),
    ("terms", {"terms": "\n\n"}),
    ("ends_at", {"ends_at": timezone.now() - timedelta(days=400),
                 "starts_at": timezone.now() - timedelta(days=401)}),
    ("severity", {"severity": "low"}),
])
def test_bad_quiet_periods_are_refused_naming_the_field(org, comms, field, overrides):
    with pytest.raises(InvalidInput) as err:
        quiet(org, comms, **overrides)
    assert err.value.field == field


def test_quiet_period_form_shows_errors_and_employees_cannot_plan(client_for, comms, employee):
    response = client_for(comms).post(reverse("posture:quiet-new"), {
        "name": "Blackout", "kind": "earnings", "reason": "Results",
        "starts_at": "2030-01-02T10:00", "ends_at": "2030-01-01T10:00", "terms": "NWR",
        "severity": "critical"})
    assert response.status_code == 422 and "The end must be after the start" in \
        response.content.decode()
    assert client_for(employee).get(reverse("posture:index")).status_code == 403
    assert client_for(employee).post(reverse("posture:quiet-new"), {}).status_code == 403


# --------------------------------------------------------------------------- crisis mode


def test_crisis_mode_needs_the_second_confirmation(org, comms, hr):
    crisis = services.crisis_request(
        organization=org, actor=comms, topic="Lisbon warehouse fire", terms="",
        holding_statement="Everyone is safe.", contact="press@x.example", sla_hours=2,
        response_team=[hr])
    assert not crisis.is_active and crisis.terms == ["Lisbon warehouse fire"]
    with pytest.raises(InvalidInput):
        services.crisis_confirm(organization=org, actor=comms, code="WRONG")
    assert services.crisis_active(organization=org) is None
    services.crisis_confirm(organization=org, actor=comms, code=crisis.confirm_code.lower())
    assert services.crisis_active(organization=org) is not None


def test_only_communications_switch_crisis_mode(org, hr, legal, employee):
    for user in (hr, legal, employee):
        with pytest.raises(PermissionDenied):
            services.crisis_request(organization=org, actor=user, topic="x", terms="",
                                    holding_statement="y", contact="z", sla_hours=2,
                                    response_team=[hr])


def test_crisis_mode_pauses_sharing_and_off_restores_the_exact_prior_state(
    client_for, org, comms, admin, hr, employee, django_capture_on_commit_callbacks
):
    live = make_item(author=comms, approver=admin, title="Live item")
    scheduled = make_item(author=comms, approver=admin, title="Scheduled item",
                          publish_at=timezone.now() + timedelta(minutes=30))
    before = list(ContentItem.objects.order_by("pk").values())
    client = client_for(employee)
    feed = client.get(reverse("advocacy:feed")).content.decode()
    assert "Share this" in feed and "Live item" in feed

    with django_capture_on_commit_callbacks(execute=True):
        crisis = crisis_on(org, comms, [hr])
    feed = client.get(reverse("advocacy:feed")).content.decode()
    assert "Everyone is safe" in feed and "press@northwind.example" in feed
    assert "Share this" not in feed
    share = client.post(reverse("advocacy:share", args=[live.pk]),
                        {"network": "mastodon", "text": "Look at this", "caption": ""})
    assert "Sharing is paused for everyone" in share.content.decode()
    # The response team was told.
    assert Notification.objects.filter(recipient=hr, kind="posture.crisis_on").exists()
    # Scheduled content whose time comes during the crisis stays held.
    ContentItem.objects.filter(pk=scheduled.pk).update(
        publish_at=crisis.active_since + timedelta(seconds=1))
    assert "Scheduled item" not in client.get(reverse("advocacy:feed")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.crisis_off(organization=org, actor=comms)
    ContentItem.objects.filter(pk=scheduled.pk).update(publish_at=before[1]["publish_at"])
    assert list(ContentItem.objects.order_by("pk").values()) == before
    feed = client.get(reverse("advocacy:feed")).content.decode()
    assert "Share this" in feed and "Everyone is safe" not in feed
    actions = list(CrisisChange.objects.filter(crisis=crisis).order_by("pk")
                   .values_list("action", flat=True))
    assert actions == ["requested", "on", "off"]
    assert set(AuditEntry.objects.filter(action__startswith="posture.crisis")
               .values_list("action", flat=True)) == {
        "posture.crisis_requested", "posture.crisis_on", "posture.crisis_off"}


def test_crisis_terms_block_in_screening_while_on(org, comms, hr):
    text = "Photos of the warehouse fire are going round"
    assert screen_text(organization=org, text=text).verdict != "block"
    crisis_on(org, comms, [hr])
    assert screen_text(organization=org, text=text).verdict == "block"
    services.crisis_off(organization=org, actor=comms)
    assert screen_text(organization=org, text=text).verdict != "block"


def test_new_reports_on_the_topic_go_to_the_crisis_queue_with_a_short_sla(
    client_for, org, comms, hr, employee
):
    crisis_on(org, comms, [hr])
    on_topic = report_submit(organization=org, reporter=employee,
                             url="https://x.com/a/status/1", category=Category.CRISIS,
                             description="Someone posts fake photos of the warehouse fire.")
    off_topic = report_submit(organization=org, reporter=employee,
                              url="https://x.com/a/status/2", category=Category.HARASSMENT,
                              description="Threats against our support engineer.")
    on, off = (Report.objects.get(pk=r.report.pk) for r in (on_topic, off_topic))
    assert on.sla_hours == 2 and on.assignee == hr
    assert on.due_at <= timezone.now() + timedelta(hours=2)
    assert off.sla_hours != 2 or off.pk not in CrisisReport.objects.values_list("report_id",
                                                                                flat=True)
    assert list(CrisisReport.objects.values_list("report_id", flat=True)) == [on.pk]
    page = client_for(hr).get(reverse("posture:crisis-queue")).content.decode()
    main = page.split('id="main"', 1)[1]  # not the page head (its theme colour is "#2b4c7e")
    assert f"#{on.pk}<" in main and f"#{off.pk}<" not in main
    assert client_for(employee).get(reverse("posture:crisis-queue")).status_code == 403


def test_crisis_pages_two_steps(client_for, org, comms, hr):
    client = client_for(comms)
    response = client.post(reverse("posture:crisis-prepare"), {
        "topic": "Lisbon warehouse fire", "terms": "", "holding_statement": "Everyone is safe.",
        "contact": "press@x.example", "sla_hours": "2", "response_team": [str(hr.pk)]})
    assert response.status_code == 302
    page = client.get(reverse("posture:index")).content.decode()
    assert "Type this code to confirm" in page
    code = services.crisis_for(organization=org).confirm_code
    assert client.post(reverse("posture:crisis-confirm"), {"code": "nope"}).status_code == 422
    assert client.post(reverse("posture:crisis-confirm"), {"code": code}).status_code == 302
    assert services.crisis_active(organization=org) is not None
    assert "On since" in client.get(reverse("posture:index")).content.decode()
    assert client.post(reverse("posture:crisis-off")).status_code == 302
    assert services.crisis_active(organization=org) is None


def test_bad_crisis_input_is_a_clear_error(client_for, org, comms, hr, outsider):
    response = client_for(comms).post(reverse("posture:crisis-prepare"), {
        "topic": "Fire", "holding_statement": "ok", "contact": "x", "sla_hours": "500",
        "response_team": [str(hr.pk)]})
    assert response.status_code == 422
    with pytest.raises(InvalidInput) as err:
        services.crisis_request(organization=org, actor=comms, topic="Fire", terms="",
                                holding_statement="ok", contact="x", sla_hours=2,
                                response_team=[outsider])
    assert err.value.field == "response_team"


def test_another_organizations_quiet_period_is_404(client_for, org, comms, outsider):
    period = quiet(org, comms)
    response = client_for(outsider).post(reverse("posture:quiet-cancel", args=[period.pk]))
    assert response.status_code == 404
    period.refresh_from_db()
    assert period.cancelled_at is None
