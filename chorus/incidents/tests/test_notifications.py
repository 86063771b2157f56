"""The right to respond reaches the employee: told (with the deadline, mandatory), the answer
reaches HR, the decision reaches the employee; a decided incident emits incident.decided."""

import pytest
from django.core import mail

from chorus.incidents import services as S
from chorus.incidents.tests.conftest import make_incident, ready_for_decision
from chorus.notifications.events import register_event_handler
from chorus.notifications.models import Notification
from chorus.notifications.services import preference_update

pytestmark = pytest.mark.django_db

EVENTS: list[tuple[str, dict]] = []
register_event_handler(lambda org, type, data: EVENTS.append((type, data)))


def test_each_incident_step_tells_the_right_person(
    org, hr, employee, matrix, django_capture_on_commit_callbacks
):
    with pytest.raises(Exception, match="mandatory"):  # the deadline cannot be switched off
        preference_update(user=employee, channels={"incidents.response_requested": []})
    incident = make_incident(org=org, hr=hr, subject=employee.person)
    EVENTS.clear()
    with django_capture_on_commit_callbacks(execute=True):
        incident = ready_for_decision(incident, hr=hr)
        S.incident_decide(incident=incident, actor=hr, outcome="written_warning")

    told = Notification.objects.get(recipient=employee, kind="incidents.response_requested")
    assert f"{incident.response_due_at:%d %b %Y}" in told.title
    assert told.link == f"/incidents/{incident.pk}/respond/"
    answered = Notification.objects.get(kind="incidents.employee_responded")
    assert answered.recipient == hr
    decided = Notification.objects.get(recipient=employee, kind="incidents.decided")
    assert "Written warning" in decided.title or "written" in decided.title.lower()
    # Outside Chorus the decision is neutral; the deadline is not (it must be seen).
    subjects = {m.subject for m in mail.outbox if m.to == [employee.email]}
    assert told.title in subjects and "HR recorded a decision: read it in Chorus" in subjects
    assert all("customer" not in m.body for m in mail.outbox)
    [(_, data)] = [e for e in EVENTS if e[0] == "incident.decided"]
    assert data == {"incident_id": incident.pk, "outcome": "written_warning",
                    "deviated": False, "decided_at": data["decided_at"]}
