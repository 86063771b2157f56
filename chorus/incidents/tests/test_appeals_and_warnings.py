"""Response fairness (issue 20): warnings that are not strikes, appeals decided by someone
who took no part, appeal rates in the consistency report, history that decays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.common.errors import Conflict, InvalidInput, PermissionDenied
from chorus.incidents import services as S
from chorus.incidents.models import Appeal, Incident
from chorus.incidents.selectors import appeal_stats
from chorus.incidents.tests.conftest import make_incident, ready_for_decision
from conftest import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def hr2(org):
    return make_member(org=org, key="hr_two", roles=["hr"], department="People")


def decided(org, hr, employee, outcome="written_warning"):
    incident = ready_for_decision(make_incident(org=org, hr=hr, subject=employee.person), hr=hr)
    S.incident_decide(incident=incident, actor=hr, outcome=outcome,
                      justification="Different facts from the usual case, see the file.")
    incident.refresh_from_db()
    return incident


def test_the_employee_appeals_and_a_reviewer_who_took_no_part_overturns(
        org, hr, hr2, employee, matrix, client_for):
    incident = decided(org, hr, employee)

    appeal = S.appeal_file(incident=incident, actor=employee,
                           grounds="The post was about our shift rota, not the customer.")
    with pytest.raises(InvalidInput) as exc:
        S.appeal_assign(appeal=appeal, actor=hr, reviewer=hr)  # the decision-maker
    assert "took part" in exc.value.message
    S.appeal_assign(appeal=appeal, actor=hr, reviewer=hr2)
    with pytest.raises(PermissionDenied):
        S.appeal_decide(appeal=appeal, actor=hr, result="overturned", reasons="x" * 30)
    S.appeal_decide(appeal=appeal, actor=hr2, result="overturned",
                    reasons="The screen missed that it discussed working conditions.")

    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OVERTURNED and appeal.effective_outcome == "no_action"
    incident.refresh_from_db()
    assert incident.outcome == "written_warning"  # the record of the decision is kept
    page = client_for(employee).get(f"/incidents/{incident.pk}/appeal/").content.decode()
    assert "Overturned" in page and "working conditions" in page


def test_an_overturned_decision_is_no_history_in_the_matrix(org, hr, hr2, employee, matrix):
    first = decided(org, hr, employee)
    appeal = S.appeal_file(incident=first, actor=employee, grounds="I was not the author of it.")
    S.appeal_assign(appeal=appeal, actor=hr, reviewer=hr2)
    S.appeal_decide(appeal=appeal, actor=hr2, result="overturned",
                    reasons="Authorship was never established properly.")

    second = ready_for_decision(make_incident(org=org, hr=hr, subject=employee.person), hr=hr)
    assert second.prior_count == 0 and second.history == "first"


def test_history_decays_past_the_matrix_look_back(org, hr, employee, matrix):
    old = decided(org, hr, employee)
    Incident.objects.filter(pk=old.pk).update(
        decided_at=timezone.now() - timedelta(days=round(matrix.window_months * 30.44) + 5))
    recent = ready_for_decision(make_incident(org=org, hr=hr, subject=employee.person), hr=hr)
    assert recent.prior_count == 0

    Incident.objects.filter(pk=old.pk).update(decided_at=timezone.now() - timedelta(days=30))
    again = ready_for_decision(make_incident(org=org, hr=hr, subject=employee.person), hr=hr)
    assert again.prior_count == 1 and again.history == "second"


def test_the_appeal_window_is_configurable_and_enforced(org, hr, employee, matrix):
    incident = decided(org, hr, employee)
    Incident.objects.filter(pk=incident.pk).update(
        decided_at=timezone.now() - timedelta(days=matrix.appeal_days + 1))
    incident.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        S.appeal_file(incident=incident, actor=employee, grounds="Too late but still unfair.")
    assert "window closed" in exc.value.message
    with pytest.raises(PermissionDenied):
        S.appeal_file(incident=decided(org, hr, employee), actor=hr, grounds="x" * 30)


def test_varied_needs_a_different_sanction(org, hr, hr2, employee, matrix):
    incident = decided(org, hr, employee)
    appeal = S.appeal_file(incident=incident, actor=employee, grounds="Too harsh for a first post.")
    S.appeal_assign(appeal=appeal, actor=hr, reviewer=hr2)
    with pytest.raises(InvalidInput):
        S.appeal_decide(appeal=appeal, actor=hr2, result="varied", new_outcome="written_warning",
                        reasons="Lower the sanction to a reminder.")
    S.appeal_decide(appeal=appeal, actor=hr2, result="varied", new_outcome="reminder",
                    reasons="A first post deserves a documented reminder only.")
    appeal.refresh_from_db()
    assert appeal.effective_outcome == "reminder"


def test_consistency_report_shows_appeal_rates_by_decision_maker(
        org, hr, hr2, employee, matrix, client_for):
    a = decided(org, hr, employee)
    decided(org, hr, employee)
    appeal = S.appeal_file(incident=a, actor=employee, grounds="The facts are wrong here.")
    S.appeal_assign(appeal=appeal, actor=hr, reviewer=hr2)
    S.appeal_decide(appeal=appeal, actor=hr2, result="overturned",
                    reasons="The facts were not established at all.")

    rows = appeal_stats(user=hr)
    row = next(r for r in rows if r.decided_by == str(hr))
    assert (row.decisions, row.appealed, row.overturned) == (2, 1, 1)
    assert row.appeal_rate == "50%" and row.overturn_rate == "100%"
    page = client_for(hr).get("/incidents/consistency/").content.decode()
    assert "Appeals by decision-maker" in page


def test_coaching_notes_and_informal_warnings_expire_and_are_not_history(
        org, hr, employee, matrix, client_for):
    S.informal_action_give(organization=org, actor=hr, subject=employee.person,
                           kind="informal_warning", note="Talked about tone with customers.")
    S.informal_action_give(organization=org, actor=hr, subject=employee.person,
                           kind="coaching_note", note="Shared the disclosure guide.",
                           expires_in_days=30)
    incident = ready_for_decision(make_incident(org=org, hr=hr, subject=employee.person), hr=hr)
    assert incident.prior_count == 0 and incident.history == "first"

    active = S.informal_actions_active(subject=employee.person,
                                       today=timezone.localdate() + timedelta(days=60))
    assert [a.kind for a in active] == ["informal_warning"]
    with pytest.raises(InvalidInput):
        S.informal_action_give(organization=org, actor=hr, subject=employee.person,
                               kind="coaching_note", note="short", expires_in_days=30)
    with pytest.raises(PermissionDenied):
        S.informal_action_give(organization=org, actor=employee, subject=employee.person,
                               kind="coaching_note", note="I coach myself now.")
    mine = client_for(employee).get("/incidents/warnings/").content.decode()
    assert "Talked about tone" in mine


def test_appeal_pages_of_another_organization_are_404(org, hr, employee, matrix, outsider,
                                                     client_for):
    incident = decided(org, hr, employee)
    appeal = S.appeal_file(incident=incident, actor=employee, grounds="Not fair at all, sorry.")
    client = client_for(outsider)
    assert client.get(f"/incidents/{incident.pk}/appeal/").status_code == 404
    assert client.get(f"/incidents/appeals/{appeal.pk}/").status_code == 404
