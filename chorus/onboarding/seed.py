"""Demo data: a short knowledge check, a candidate in pre-boarding, and a campaign for the
published policy with some people done and some pending (one overdue)."""

from __future__ import annotations

import datetime

from chorus.onboarding.models import Attestation, Campaign, Stage
from chorus.onboarding.services import (
    attestation_create,
    campaign_create,
    knowledge_check_add_question,
    knowledge_check_update,
    person_add,
)
from chorus.people.seed import SeedContext

QUESTIONS = [
    ("Can you post about your pay or working conditions?",
     ["No, never", "Yes: the policy does not limit that", "Only with HR's approval"], 1,
     "Talking about pay, hours and working conditions is protected."),
    ("What should you add when you post about our products?",
     ["Nothing", "That you work here (#employee)", "Your manager's name"], 1,
     "Disclose that you work here whenever you talk about our products."),
    ("A customer's contract details are…",
     ["Confidential: never post them", "Fine to share with friends", "Fine after a year"], 0,
     "Customer data stays private."),
]


def seed(ctx: SeedContext) -> None:
    from chorus.policy.selectors import policy_version_current

    version = policy_version_current(organization=ctx.organization)
    if version is None:
        return
    hr = ctx.users["hr"]
    for prompt, choices, correct, explanation in QUESTIONS:
        knowledge_check_add_question(version=version, actor=hr, prompt=prompt, choices=choices,
                                     correct=correct, explanation=explanation)
    knowledge_check_update(version=version, actor=hr, pass_mark=2)

    # A candidate who accepted an offer: pre-boarding is when the balanced preset introduces
    # the policy, so the campaign below asks her too (through a personal link: no account).
    ctx.people["candidate"] = person_add(
        organization=ctx.organization, actor=hr, full_name="Riley Chen",
        email="riley.chen@candidates.example", department="Engineering",
        manager=ctx.people["manager"], title="Robotics Engineer (offer accepted)",
        location="Berlin", start_date=datetime.date.today() + datetime.timedelta(days=21),
        status="candidate", stage=Stage.PRE_BOARDING)
    everyone = campaign_create(organization=ctx.organization, actor=hr,
                               name="Everyone: social media policy", version_id=version.pk,
                               audience=Campaign.Audience.EVERYONE, due_days=14)
    right = {q.pk: q.correct for q in version.knowledge_check.questions.all()}
    # Emery acknowledged too: the incident demo needs an employee who was told the policy (the
    # notice test caps the response for anyone who was not).
    for key in ("admin", "comms", "hr", "legal", "manager", "employee"):
        assignment = everyone.assignments.get(person=ctx.people[key])
        attestation_create(
            read_stated=True, assignment=assignment, channel=Attestation.Channel.SESSION,
            content_hash=version.content_hash, confirmed=True, answers=right,
            user=ctx.users[key])
    # Sam and Riley are still pending; Sam's request is overdue so the dashboard shows the
    # overdue list and the nudge button.
    overdue = everyone.assignments.get(person=ctx.people["employee2"])
    overdue.assigned_at -= datetime.timedelta(days=20)
    overdue.due_at -= datetime.timedelta(days=20)
    overdue.save(update_fields=["assigned_at", "due_at"])
