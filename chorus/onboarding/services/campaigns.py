"""Attestation campaigns: assigning a published version to people, new hires and new versions."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import InvalidInput, NotFound
from chorus.onboarding.models import (
    Assignment,
    Attestation,
    Campaign,
    PersonOnboarding,
    Stage,
    stage_index,
)
from chorus.onboarding.services.base import _require_hr
from chorus.onboarding.services.texts import introduce_stage_for, onboarding_settings_for
from chorus.people.models import Department, Organization, Person, User
from chorus.policy.models import PolicyVersion


def _published_version(*, organization: Organization, version_id: int) -> PolicyVersion:
    version = (PolicyVersion.objects.select_related("policy")
               .filter(pk=version_id, organization_id=organization.pk,
                       status="published").first())
    if version is None:
        raise InvalidInput("Choose a published version of one of your policies.",
                           field="version")
    return version


@dataclass(frozen=True)
class CampaignStart:
    """A started campaign and why some of its audience were not asked."""

    campaign: Campaign
    audience: int
    asked: int
    already_acknowledged: int
    already_open: int

    def summary(self) -> str:
        """"1 of 2 asked: 1 already has an open request"."""
        people = "person" if self.audience == 1 else "people"
        text = f"{self.asked} of {self.audience} {people} asked"
        reasons = []
        if self.already_open:
            verb = "has" if self.already_open == 1 else "have"
            reasons.append(f"{self.already_open} already {verb} an open request for this "
                           "version")
        if self.already_acknowledged:
            reasons.append(f"{self.already_acknowledged} already acknowledged it")
        return text + (": " + "; ".join(reasons) if reasons else "")


def campaign_create(*, organization: Organization, actor: User, name: str, version_id: int,
                    audience: str, department: Department | None = None,
                    due_days: int | None = None) -> Campaign:
    """`campaign_start`, returning only the campaign."""
    return campaign_start(organization=organization, actor=actor, name=name,
                          version_id=version_id, audience=audience, department=department,
                          due_days=due_days).campaign


@transaction.atomic
def campaign_start(*, organization: Organization, actor: User, name: str, version_id: int,
                   audience: str, department: Department | None = None,
                   due_days: int | None = None) -> CampaignStart:
    """Start a campaign and assign the version to its audience: everyone (employees and
    candidates in onboarding, not leavers), one department, or new hires as they reach the
    introduction stage (those already past it are assigned now). Invitations go out after
    commit. Nobody is assigned a version they already acknowledged or are already asked for;
    the result counts both, so the page can say why someone was not asked."""
    _require_hr(actor, "start attestation campaigns")
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("Give the campaign a name people will recognise.", field="name")
    version = _published_version(organization=organization, version_id=version_id)
    if audience not in {Campaign.Audience.EVERYONE, Campaign.Audience.DEPARTMENT,
                        Campaign.Audience.NEW_HIRES}:
        raise InvalidInput("Choose everyone, a department or new hires.", field="audience")
    if audience == Campaign.Audience.DEPARTMENT:
        if department is None:
            raise InvalidInput("Choose the department.", field="department")
        if department.organization_id != organization.pk:
            raise NotFound("No such department in your organization.")
    else:
        department = None
    if due_days is None:
        due_days = onboarding_settings_for(organization=organization).default_due_days
    if not 1 <= due_days <= 365:
        raise InvalidInput("Give people between 1 and 365 days.", field="due_days")
    campaign = Campaign.objects.create(
        organization=organization, name=name[:200], version=version, audience=audience,
        department=department, due_days=due_days, created_by=actor)
    people = Person.objects.filter(organization=organization).exclude(
        status=Person.Status.LEAVER).exclude(onboarding__not_hired_at__isnull=False)
    intro = introduce_stage_for(organization=organization, version=version)
    reached = Q(onboarding__stage__in=Stage.values[stage_index(intro):])
    if audience == Campaign.Audience.DEPARTMENT:
        people = people.filter(department=department)
    elif audience == Campaign.Audience.NEW_HIRES:
        people = people.filter(reached)
    else:
        # Everyone who works here, plus candidates who reached the introduction stage.
        people = people.filter(Q(status=Person.Status.EMPLOYEE) | reached)
    audience_list = list(people)
    reasons: dict[str, int] = {}
    created = _assign(campaign=campaign, people=audience_list, reasons=reasons)
    audit_record(organization=organization, actor=actor, action="onboarding.campaign_started",
                 target=campaign, data={"version": version.number, "audience": audience,
                                        "assigned": len(created), **reasons})
    return CampaignStart(campaign=campaign, audience=len(audience_list), asked=len(created),
                         already_acknowledged=reasons.get("already_acknowledged", 0),
                         already_open=reasons.get("already_open", 0))


def _assign(*, campaign: Campaign, people: Iterable[Person],
            previous: dict[int, PolicyVersion] | None = None,
            reasons: dict[str, int] | None = None) -> list[Assignment]:
    """Create assignments for people who have not acknowledged the version and are not
    already asked for it (in this or another campaign): nobody is asked twice for the same
    text. Invitations go out after commit."""
    now = timezone.now()
    people = list(people)
    attested = set(Attestation.objects.filter(version=campaign.version,
                                              person__in=people).values_list("person_id",
                                                                             flat=True))
    existing = set(campaign.assignments.values_list("person_id", flat=True)) | set(
        Assignment.objects.filter(version=campaign.version, status=Assignment.Status.PENDING,
                                  person__in=people).values_list("person_id", flat=True))
    new = [
        Assignment(organization_id=campaign.organization_id, campaign=campaign, person=p,
                   version=campaign.version, assigned_at=now,
                   due_at=now + datetime.timedelta(days=campaign.due_days),
                   previous_version=(previous or {}).get(p.pk))
        for p in people if p.pk not in attested and p.pk not in existing
    ]
    if reasons is not None:
        ids_ = {p.pk for p in people}
        reasons["already_acknowledged"] = len(attested & ids_)
        reasons["already_open"] = len((existing - attested) & ids_)
    # PostgreSQL and SQLite (3.35+) both return the new primary keys from a bulk insert.
    created = Assignment.objects.bulk_create(new)
    ids = [a.pk for a in created]
    if ids:
        from chorus.onboarding.tasks import send_invitations_task

        transaction.on_commit(partial(send_invitations_task.enqueue, assignment_ids=ids))
    return created


def new_hire_assign(*, person: Person, onboarding: PersonOnboarding) -> list[Assignment]:
    """Assign every open new-hire campaign whose introduction stage this person reached."""
    if person.status == Person.Status.LEAVER or onboarding.not_hired_at is not None:
        return []
    created = []
    for campaign in Campaign.objects.filter(
        organization_id=person.organization_id, audience=Campaign.Audience.NEW_HIRES,
        closed_at__isnull=True,
    ).select_related("version"):
        intro = introduce_stage_for(organization=person.organization, version=campaign.version)
        if stage_index(onboarding.stage) >= stage_index(intro):
            created += _assign(campaign=campaign, people=[person])
    return created


@transaction.atomic
def campaign_close(*, campaign: Campaign, actor: User) -> Campaign:
    """Stop a campaign: no new assignments, no reminders. Records stay."""
    _require_hr(actor, "close campaigns")
    if campaign.closed_at is None:
        campaign.closed_at = timezone.now()
        campaign.save(update_fields=["closed_at", "updated_at"])
        campaign.assignments.filter(status=Assignment.Status.PENDING).update(
            status=Assignment.Status.CANCELLED)
        audit_record(organization=campaign.organization, actor=actor,
                     action="onboarding.campaign_closed", target=campaign, data={})
    return campaign


def _supersede(*, campaign: Campaign, version: PolicyVersion,
               now: datetime.datetime) -> Campaign | None:
    """Close `campaign` for a newer `version`; its pending people are asked in a follow-up
    (re-attesters keep the version they acknowledged, for the diff)."""
    pending = list(campaign.assignments.filter(status=Assignment.Status.PENDING)
                   .select_related("person", "previous_version"))
    people = [a.person for a in pending]
    previous = {a.person_id: a.previous_version for a in pending if a.previous_version}
    successor = None
    if people or campaign.audience == Campaign.Audience.NEW_HIRES:
        successor = Campaign.objects.create(
            organization_id=campaign.organization_id, name=f"{campaign.name} · version "
            f"{version.number}"[:200], version=version, audience=campaign.audience,
            department=campaign.department, due_days=campaign.due_days,
            created_by=campaign.created_by)
    Assignment.objects.filter(pk__in=[a.pk for a in pending]).update(
        status=Assignment.Status.SUPERSEDED, updated_at=now)
    campaign.closed_at = now
    campaign.superseded_by = successor
    campaign.save(update_fields=["closed_at", "superseded_by", "updated_at"])
    if successor is not None:
        # Everyone previously asked for the old text is asked for the new one, re-attesters
        # included (their diff comes from the re-attestation campaign instead).
        _assign(campaign=successor, people=people, previous=previous)
    audit_record(organization=campaign.organization, actor=None,
                 action="onboarding.campaign_superseded", target=campaign,
                 data={"version": version.number, "moved": len(people),
                       "follow_up": successor.pk if successor else None})
    return successor


def on_policy_version_published(version: PolicyVersion) -> None:
    """Publish hook (chorus.policy.hooks). A campaign keeps the version it was launched with,
    so its numbers stay true: every open campaign of an earlier version is closed as
    superseded, its pending requests are marked "moved to a newer version" and asked again
    in a follow-up campaign for this version (new-hire campaigns always get one, so future
    hires are still asked), so nobody is asked to read outdated text. A material version
    also opens a re-attestation campaign for everyone who acknowledged an earlier version; a
    non-material one asks nothing of people who already did. Runs after the publication
    committed (the policy app schedules hooks with on_commit)."""
    with transaction.atomic():
        organization = version.organization
        now = timezone.now()
        # One version is in force per organization, so every other version (of this policy or
        # one it replaced) is an earlier one.
        older = Q(version__organization_id=version.organization_id) & ~Q(version_id=version.pk)
        for old in Campaign.objects.filter(older, closed_at__isnull=True):
            _supersede(campaign=old, version=version, now=now)
        if not version.material:
            return
        latest: dict[int, PolicyVersion] = {}
        for att in (Attestation.objects.filter(older)
                    .exclude(person__status=Person.Status.LEAVER)
                    .select_related("version", "person").order_by("attested_at")):
            latest[att.person_id] = att.version
        if not latest:
            return
        pending_people = set(Assignment.objects.filter(
            version=version, status=Assignment.Status.PENDING).values_list("person_id",
                                                                            flat=True))
        campaign = Campaign.objects.create(
            organization=organization, audience=Campaign.Audience.REATTEST, version=version,
            name=f"Re-attestation: {version.policy} version {version.number}",
            due_days=onboarding_settings_for(organization=organization).default_due_days)
        people = Person.objects.filter(pk__in=set(latest) - pending_people)
        created = _assign(campaign=campaign, people=people, previous=latest)
        audit_record(organization=organization, actor=None,
                     action="onboarding.reattestation_started", target=campaign,
                     data={"version": version.number, "assigned": len(created)})
