"""Helpers for incident tests: a published balanced matrix, incidents at each stage and the
subject's acknowledgment of the policy (the notice test caps the suggestion without it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.incidents import services as S
from chorus.incidents.models import Incident
from chorus.people.models import Person


@pytest.fixture
def matrix(org, hr):
    return S.matrix_install_preset(organization=org, actor=hr)


def acknowledge_policy(*, person: Person, hr) -> None:
    """Record, through the policy and onboarding services, that `person` received and
    acknowledged the organization's published policy (publishing one if there is none)."""
    from chorus.onboarding.models import Assignment, Attestation, Campaign
    from chorus.onboarding.services import attestation_create, campaign_create
    from chorus.people.models import User
    from chorus.people.roles import Role
    from chorus.policy.selectors import policy_version_current
    from chorus.policy.services import policy_create_from_preset, policy_version_publish
    from conftest import make_member

    org = person.organization
    version = policy_version_current(organization=org)
    if version is None:
        author = (User.objects.filter(organization=org, email__startswith="policy_author@").first()
                  or make_member(org=org, key="policy_author", roles=[Role.LEGAL]))
        draft = policy_create_from_preset(organization=org, actor=author, preset="balanced",
                                          title="Social media policy")
        version = policy_version_publish(version=draft, actor=author, material=True)
    if Attestation.objects.filter(person=person, version=version).exists():
        return
    assignment = Assignment.objects.filter(person=person, version=version,
                                           status=Assignment.Status.PENDING).first()
    if assignment is None:
        campaign = campaign_create(organization=org, actor=hr, name="Everyone",
                                   version_id=version.pk, audience=Campaign.Audience.EVERYONE)
        assignment = campaign.assignments.get(person=person)
    attestation_create(read_stated=True, assignment=assignment, channel=Attestation.Channel.SESSION,
                       content_hash=version.content_hash, confirmed=True, user=person.user)


def make_incident(*, org, hr, subject, title="Mocked a customer", text="This customer is a joke",
                  category="customer_negative", acknowledged: bool = True) -> Incident:
    """An incident opened by HR. `acknowledged` first records that the subject acknowledged
    the policy, so the matrix suggestion is not capped by the notice test."""
    if acknowledged and subject is not None:
        acknowledge_policy(person=subject, hr=hr)
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
