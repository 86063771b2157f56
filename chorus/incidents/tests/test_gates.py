from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.audit.services import audit_verify
from chorus.common.errors import Conflict, InvalidInput, PermissionDenied
from chorus.incidents import services as S
from chorus.incidents.models import Incident, IncidentEvent
from chorus.incidents.tests.conftest import make_incident, ready_for_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(org, hr, employee, matrix):
    return make_incident(org=org, hr=hr, subject=employee.person)


def test_a_new_incident_cannot_be_decided_and_says_what_is_missing(incident, hr):
    missing = {g.key for g in S.missing_gates(incident)}
    assert missing == {"facts", "screen", "response", "assessed", "legal_review"}
    with pytest.raises(Conflict):
        S.incident_decide(incident=incident, actor=hr, outcome="written_warning")


def test_the_decision_waits_for_the_employee_response_window(incident, hr):
    S.incident_establish_facts(incident=incident, actor=hr, subject=incident.subject,
                               authorship_confirmed=True, lawful_access_confirmed=True,
                               note="Checked the public profile.")
    S.incident_record_screen(incident=incident, actor=hr,
                             answers=dict.fromkeys(S.PROTECTED_CHECKLIST, "no"))
    Incident.objects.filter(pk=incident.pk).update(screen_signal=Incident.Screen.CLEAR)
    incident.refresh_from_db()
    S.incident_notify(incident=incident, actor=hr, notice_text="You mocked a customer.")
    S.incident_assess(incident=incident, actor=hr, severity="medium", modifiers={})
    with pytest.raises(Conflict, match="Waiting for the employee"):
        S.incident_decide(incident=incident, actor=hr, outcome="written_warning")
    later = timezone.now() + timedelta(days=6)
    assert not [g for g in S.missing_gates(incident, now=later)]


def test_an_employee_response_opens_the_gate_and_is_stored(incident, hr, employee):
    incident = ready_for_decision(incident, hr=hr)
    assert incident.employee_response == "I regret it and deleted the post."
    decided = S.incident_decide(incident=incident, actor=hr, outcome="written_warning")
    assert (decided.status, decided.deviated) == (Incident.Status.DECIDED, False)


def test_deviating_from_the_suggestion_requires_a_written_justification(incident, hr):
    incident = ready_for_decision(incident, hr=hr)
    assert incident.suggested_response == "written_warning"
    with pytest.raises(InvalidInput) as exc:
        S.incident_decide(incident=incident, actor=hr, outcome="reminder", justification="")
    assert exc.value.field == "justification"
    decided = S.incident_decide(incident=incident, actor=hr, outcome="reminder",
                                justification="Deleted within minutes and apologised publicly.")
    assert decided.deviated and decided.justification.startswith("Deleted")
    audit = AuditEntry.objects.get(organization=incident.organization, action="incident.decided")
    assert audit.data["deviated"] is True and audit.data["suggested"] == "written_warning"


def test_high_severity_needs_a_second_reviewer_other_than_the_owner(incident, hr, legal, org):
    incident = ready_for_decision(incident, hr=hr, severity="high")
    assert "second_review" in {g.key for g in S.missing_gates(incident)}
    with pytest.raises(PermissionDenied):
        S.incident_review(incident=incident, actor=hr, kind="second", verdict="approve",
                          note="Looks right")
    S.incident_review(incident=incident, actor=legal, kind="second", verdict="approve",
                      note="Facts and evidence agree.")
    assert not S.missing_gates(incident)


def test_critical_severity_or_an_unclear_screen_needs_legal(incident, hr, legal):
    incident = ready_for_decision(incident, hr=hr, screen_all_no=False)
    assert {g.key for g in S.missing_gates(incident)} == {"legal_review"}
    with pytest.raises(PermissionDenied):
        S.incident_review(incident=incident, actor=hr, kind="legal", verdict="approve",
                          note="ok")
    S.incident_review(incident=incident, actor=legal, kind="legal", verdict="concerns",
                      note="This reads as a complaint about staffing levels.")
    assert "Legal raised concerns" in S.missing_gates(incident)[0].detail
    S.incident_review(incident=incident, actor=legal, kind="legal", verdict="approve",
                      note="Reviewed: about a customer, not working conditions.")
    assert not S.missing_gates(incident)


def test_the_protected_signal_from_the_engine_routes_to_legal(incident, hr):
    incident = ready_for_decision(incident, hr=hr)
    Incident.objects.filter(pk=incident.pk).update(screen_signal=Incident.Screen.FLAGGED)
    incident.refresh_from_db()
    assert [g.key for g in S.missing_gates(incident)] == ["legal_review"]


def test_modifiers_beyond_one_step_need_legal_approval(incident, hr, legal):
    incident = ready_for_decision(incident, hr=hr, modifiers={"intent": -1, "remorse": -1})
    assert incident.suggested_response == "reminder"  # capped at one step down
    S.incident_review(incident=incident, actor=legal, kind="legal", verdict="approve",
                      note="Two mitigating factors are well documented.",
                      approves_beyond_one_step=True)
    incident.refresh_from_db()
    assert incident.suggested_response == "coaching"


def test_history_counts_decided_priors_in_the_window(org, hr, employee, matrix):
    first = ready_for_decision(make_incident(org=org, hr=hr, subject=employee.person), hr=hr)
    S.incident_decide(incident=first, actor=hr, outcome="written_warning")
    second = ready_for_decision(
        make_incident(org=org, hr=hr, subject=employee.person, title="Again"), hr=hr)
    assert (second.history, second.prior_count, second.suggested_response) == (
        "second", 1, "final_warning")
    assert second.matrix == matrix


def test_the_facts_gate_needs_authorship_and_lawful_access(incident, hr):
    with pytest.raises(InvalidInput) as exc:
        S.incident_establish_facts(incident=incident, actor=hr, subject=incident.subject,
                                   authorship_confirmed=True, lawful_access_confirmed=False,
                                   note="x")
    assert exc.value.field == "lawful_access_confirmed"


def test_containment_is_separate_and_a_takedown_waits_for_a_clear_screen(incident, hr):
    S.incident_contain(incident=incident, actor=hr, action="pause_advocacy",
                       note="While we look into it")
    incident.subject.refresh_from_db()
    assert incident.subject.advocacy_paused_at is not None
    assert incident.status == Incident.Status.OPEN and not incident.outcome
    with pytest.raises(Conflict, match="protected-activity"):
        S.incident_contain(incident=incident, actor=hr, action="takedown", note="Remove it")


def test_every_step_is_on_the_timeline_and_the_audit_chain_verifies(incident, hr):
    incident = ready_for_decision(incident, hr=hr)
    S.incident_decide(incident=incident, actor=hr, outcome="written_warning")
    S.incident_close(incident=incident, actor=hr)
    kinds = set(IncidentEvent.objects.filter(incident=incident).values_list("kind", flat=True))
    assert {"opened", "evidence_added", "facts_established", "notified", "responded",
            "assessed", "decided", "status_changed"} <= kinds
    actions = set(AuditEntry.objects.filter(organization=incident.organization)
                  .values_list("action", flat=True))
    assert {"incident.opened", "incident.evidence_added", "incident.employee_notified",
            "incident.employee_responded", "incident.decided", "incident.closed"} <= actions
    assert audit_verify().ok


def test_opening_twice_from_the_same_report_returns_the_same_incident(org, hr, employee, matrix):
    class FakeReport:
        pk = 42
        organization = org
        url = "https://social.example/p/9"
        network = "bluesky"
        category = "harassment"
        description = "Insulting a colleague"
        subject = employee.person

    one = S.incident_open_from_report(report=FakeReport(), actor=hr)
    two = S.incident_open_from_report(report=FakeReport(), actor=hr)
    assert one.pk == two.pk and (one.source, one.source_ref) == ("report", "42")
    assert one.evidence.get().url == "https://social.example/p/9"


def test_a_monitoring_alert_opens_an_incident_with_its_findings(org, hr, employee, matrix):
    incident = S.incident_open_from_monitoring(
        alert_id=7, organization=org, subject=employee.person, actor=None,
        text="Our Q3 numbers are bad, sell now", url="https://x.example/1", network="x",
        findings=[{"rule_id": "securities.mnpi", "category": "mnpi"}])
    assert (incident.source, incident.category, incident.rule_ids) == (
        "monitoring", "mnpi", ["securities.mnpi"])
    assert incident.evidence.get().text.startswith("Our Q3")
