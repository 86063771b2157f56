"""Helpers for incident tests: a published balanced matrix and incidents at each stage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.incidents import services as S
from chorus.incidents.models import Incident


@pytest.fixture
def matrix(org, hr):
    return S.matrix_install_preset(organization=org, actor=hr)


def make_incident(*, org, hr, subject, title="Mocked a customer", text="This customer is a joke",
                  category="customer_negative") -> Incident:
    return S.incident_open_manual(organization=org, actor=hr, subject=subject, title=title,
                                  category=category, rule_ids=["customer.negative"], text=text,
                                  url="https://social.example/p/1", network="mastodon")


def ready_for_decision(incident: Incident, *, hr, severity="medium", modifiers=None,
                       respond=True, screen_all_no=True) -> Incident:
    """Pass every gate a medium-severity, clearly unprotected case needs."""
    S.incident_establish_facts(incident=incident, actor=hr, subject=incident.subject,
                               authorship_confirmed=True, lawful_access_confirmed=True,
                               note="Public post on their own account; screenshot taken.")
    answers = {k: "no" for k in S.PROTECTED_CHECKLIST}
    if not screen_all_no:
        answers["working_conditions"] = "unsure"
    S.incident_record_screen(incident=incident, actor=hr, answers=answers)
    # The engine may be unavailable in a partial checkout; the tests pin the signal explicitly.
    Incident.objects.filter(pk=incident.pk).update(screen_signal=Incident.Screen.CLEAR)
    incident.refresh_from_db()
    S.incident_notify(incident=incident, actor=hr, notice_text="You posted about a customer.")
    if respond:
        S.incident_record_response(incident=incident, actor=incident.subject.user,
                                   text="I regret it and deleted the post.")
    else:
        Incident.objects.filter(pk=incident.pk).update(
            response_due_at=timezone.now() - timedelta(minutes=1))
        incident.refresh_from_db()
    S.incident_assess(incident=incident, actor=hr, severity=severity, modifiers=modifiers or {})
    incident.refresh_from_db()
    return incident
