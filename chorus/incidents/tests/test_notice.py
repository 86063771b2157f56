"""The notice test (research c.1 item 5): without a record that the employee acknowledged the
policy before the incident, the suggestion goes no higher than a coaching conversation, the
page says why, and a heavier decision is a deviation that needs a written justification."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chorus.audit.models import AuditEntry
from chorus.common.errors import InvalidInput
from chorus.incidents import matrix as M
from chorus.incidents import services as S
from chorus.incidents.tests.conftest import acknowledge_policy, make_incident, ready_for_decision

pytestmark = pytest.mark.django_db

REASON = "no record that the employee received the policy"


def test_without_an_acknowledged_policy_the_suggestion_is_capped_at_coaching(
        matrix, org, hr, employee):
    incident = make_incident(org=org, hr=hr, subject=employee.person, acknowledged=False)

    incident = ready_for_decision(incident, hr=hr, severity="medium")

    assert incident.suggested_response == "coaching"
    assert any(REASON in line and "instead of Written warning" in line
               for line in incident.suggestion_explanation)
    audit = AuditEntry.objects.filter(action="incident.assessed").latest("pk")
    assert audit.data["notice_capped"] is True


def test_with_an_acknowledged_policy_the_matrix_suggestion_stands(matrix, org, hr, employee):
    incident = make_incident(org=org, hr=hr, subject=employee.person)

    incident = ready_for_decision(incident, hr=hr, severity="medium")

    assert incident.suggested_response == "written_warning"
    assert not any(REASON in line for line in incident.suggestion_explanation)
    audit = AuditEntry.objects.filter(action="incident.assessed").latest("pk")
    assert audit.data["notice_capped"] is False


def test_an_acknowledgment_given_after_the_incident_opened_is_no_notice(
        matrix, org, hr, employee):
    incident = make_incident(org=org, hr=hr, subject=employee.person, acknowledged=False)
    acknowledge_policy(person=employee.person, hr=hr)

    incident = ready_for_decision(incident, hr=hr, severity="medium")

    assert incident.suggested_response == "coaching"


def test_a_decision_above_the_notice_cap_is_a_deviation_that_needs_a_justification(
        matrix, org, hr, employee):
    incident = ready_for_decision(
        make_incident(org=org, hr=hr, subject=employee.person, acknowledged=False),
        hr=hr, severity="medium")

    with pytest.raises(InvalidInput) as refused:
        S.incident_decide(incident=incident, actor=hr, outcome="written_warning")
    assert refused.value.field == "justification"

    decided = S.incident_decide(incident=incident, actor=hr, outcome="written_warning",
                                justification="The policy was handed out on paper at induction; "
                                              "the signed copy is in the personnel file.")
    assert (decided.outcome, decided.deviated) == ("written_warning", True)


def test_coaching_without_notice_is_as_suggested(matrix, org, hr, employee):
    incident = ready_for_decision(
        make_incident(org=org, hr=hr, subject=employee.person, acknowledged=False),
        hr=hr, severity="medium", modifiers={"intent": 1})

    decided = S.incident_decide(incident=incident, actor=hr, outcome="coaching")

    assert decided.deviated is False


@pytest.mark.parametrize("severity", M.SEVERITY_ORDER)
@pytest.mark.parametrize("history", M.HISTORY_ORDER)
def test_the_notice_cap_holds_for_every_cell_and_even_with_legal_approval(severity, history):
    result = M.suggest(cells=M.PRESETS["strict"], severity=severity, history=history,
                       modifiers={"intent": 1, "reach": 1}, legal_approved=True,
                       policy_acknowledged=False)

    assert result.response == "coaching"
    assert result.notice_capped  # the modifiers alone lift every cell above coaching
    assert any(REASON in line for line in result.explanation)


def test_the_incident_page_says_why_the_suggestion_is_capped(
        matrix, org, hr, employee, client_for):
    incident = ready_for_decision(
        make_incident(org=org, hr=hr, subject=employee.person, acknowledged=False),
        hr=hr, severity="medium")

    page = client_for(hr).get(reverse("incidents:incident-detail", args=[incident.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "No record that" in html and "received the policy" in html
    assert "unfair and legally risky" in html
    assert "Coaching conversation" in html


def test_the_incident_page_shows_the_acknowledged_version(
        matrix, org, hr, employee, client_for):
    incident = ready_for_decision(make_incident(org=org, hr=hr, subject=employee.person),
                                  hr=hr, severity="medium")

    html = client_for(hr).get(
        reverse("incidents:incident-detail", args=[incident.pk])).content.decode()

    assert "acknowledged the policy (version 1)" in html
    assert "No record that" not in html
