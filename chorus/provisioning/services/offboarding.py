"""Offboarding: one service for everyone who leaves, whatever said so (the identity provider
through SCIM, HR marking a leaver, an administrator). Each app does its part through its
`offboarding.py` (chorus.provisioning.registry); this service runs them in one transaction,
audits every step, keeps the plain-language summary and tells the person where to read it.
"""

from __future__ import annotations

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import NotFound, PermissionDenied
from chorus.notifications.events import emit_event
from chorus.notifications.services import notify
from chorus.people.models import Person, User
from chorus.people.roles import Role
from chorus.provisioning.models import Offboarding
from chorus.provisioning.registry import Step, contributors

SUMMARY_SALT = "chorus.provisioning.offboarding-summary"
# The summary link in the leaver's e-mail works this long (they can no longer sign in).
SUMMARY_LINK_MAX_AGE = 180 * 24 * 3600


@transaction.atomic
def person_offboard(*, person: Person, actor: User | None, reason: str, source: str,
                    actor_label: str = "") -> Offboarding:
    """Offboard `person`: every installed app does its part (accounts closed, monitoring
    consent ended, attestation requests closed, advocacy attribution ended, verified handles
    revoked; reports and incidents kept), each step audited. Safe to run twice: a rerun
    changes nothing that is already done, audits only steps that changed something, and
    neither notifies nor emits the event again. `actor` is HR or an administrator, or None
    for the identity provider; `source` is one of `Offboarding.Source`."""
    if source not in Offboarding.Source.values:
        raise ValueError(f"Unknown offboarding source {source!r}.")
    if actor is not None and actor.organization_id != person.organization_id:
        raise NotFound("No such person in your organization.")
    person = Person.objects.select_for_update().get(pk=person.pk)
    organization = person.organization
    reason = " ".join((reason or "").split())[:300]
    now = timezone.now()
    audit_actor = actor if actor is not None else (actor_label or "identity provider")
    existing = Offboarding.objects.select_for_update().filter(person=person).first()
    first_run = existing is None or existing.reactivated_at is not None
    if first_run:
        # Told before the account closes (notifications skip inactive accounts); delivered
        # after commit, so a rolled-back offboarding tells nobody.
        _tell_the_person(person=person)
    steps: list[Step] = []
    for contributor in contributors():
        for step in contributor.offboard(person, actor=audit_actor, reason=reason):
            steps.append(step)
            if first_run or step.count:
                audit_record(organization=organization, actor=audit_actor,
                             action="offboarding.step", target=person,
                             data={"step": step.key, "count": step.count, "source": source})
    if existing is None:
        record = Offboarding.objects.create(
            organization=organization, person=person, actor=actor, source=source,
            reason=reason, offboarded_at=now, steps=[s.as_dict() for s in steps])
    else:
        record = existing
        record.runs += 1
        if first_run:
            record.actor, record.source, record.reason = actor, source, reason
            record.offboarded_at, record.reactivated_at = now, None
            record.steps = [s.as_dict() for s in steps]
        record.save()
    audit_record(organization=organization, actor=audit_actor,
                 action="offboarding.completed" if first_run else "offboarding.repeated",
                 target=person, data={"source": source, "reason": reason,
                                      "steps": [s.key for s in steps]})
    if first_run:
        emit_event(organization=organization, type="person.offboarded",
                   data={"person_id": person.pk, "source": source,
                         "offboarded_at": now.isoformat()})
    return record


def person_offboarding_reset(*, person: Person, actor_label: str) -> None:
    """The person came back (rehired, or the identity provider reactivated them): the next
    offboarding runs in full again. What offboarding ended stays ended (consent is given
    anew, handles are asked for anew)."""
    updated = Offboarding.objects.filter(person=person, reactivated_at__isnull=True).update(
        reactivated_at=timezone.now())
    if updated:
        audit_record(organization=person.organization, actor=actor_label,
                     action="offboarding.reactivated", target=person, data={})


def summary_token(person: Person) -> str:
    return signing.dumps({"p": person.pk, "o": person.organization_id}, salt=SUMMARY_SALT)


def summary_url(person: Person) -> str:
    return reverse("provisioning-public:offboarding-summary", args=[summary_token(person)])


def offboarding_for_token(token: str) -> Offboarding:
    """The offboarding a summary link points at, or NotFound (bad, expired or reactivated)."""
    try:
        data = signing.loads(token, salt=SUMMARY_SALT, max_age=SUMMARY_LINK_MAX_AGE)
    except signing.BadSignature:
        raise NotFound("This link is not valid or has expired; ask HR for your summary.")
    record = (Offboarding.objects.select_related("person", "organization")
              .filter(person_id=data.get("p"), organization_id=data.get("o")).first())
    if record is None or record.reactivated_at is not None:
        raise NotFound("This link is not valid or has expired; ask HR for your summary.")
    return record


def offboarding_get(*, user: User, person_id: int) -> Offboarding:
    """The offboarding of one person, for HR and administrators of the same organization."""
    if not user.has_role(Role.HR):
        raise PermissionDenied("Only HR and administrators see offboarding summaries.")
    record = (Offboarding.objects.select_related("person", "actor")
              .filter(person_id=person_id, organization_id=user.org_id).first())
    if record is None:
        raise NotFound("No offboarding for this person in your organization.")
    return record


def _tell_the_person(*, person: Person) -> None:
    if person.user is None:
        return
    notify(kind="provisioning.offboarded", recipients=[person.user],
           organization=person.organization,
           title=f"You have left {person.organization.name}: what happens to your data",
           body=("Your Chorus account is closed. Open the link to read, step by step, what "
                 "happened to your data and what is kept, and why."),
           link=summary_url(person))
