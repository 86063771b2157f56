"""Adding and editing people, and moving them through the onboarding stages (each move is
recorded)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput, NotFound
from chorus.onboarding.models import (
    ALLOWED_TRANSITIONS,
    Assignment,
    PersonOnboarding,
    Stage,
    StageChange,
)
from chorus.onboarding.services.base import _require_hr
from chorus.onboarding.services.campaigns import new_hire_assign
from chorus.people.models import Organization, Person, User
from chorus.people.services import department_get_or_create, person_create

PERSON_FIELDS = ("full_name", "email", "department", "manager", "title", "location",
                 "start_date", "status", "external_id")


@transaction.atomic
def person_add(*, organization: Organization, actor: User, full_name: str, email: str,
               department: str = "", manager: Person | None = None, title: str = "",
               location: str = "", start_date: datetime.date | None = None,
               status: str = Person.Status.EMPLOYEE, stage: str = "") -> Person:
    """Add one person (HR only). Candidates, and anyone given a stage, get an onboarding
    record, so new-hire campaigns pick them up when they reach the introduction stage."""
    _require_hr(actor, "add people")
    try:
        validate_email(email.strip())
    except ValidationError:
        raise InvalidInput(f"“{email}” is not an e-mail address.", field="email") from None
    full_name = " ".join(full_name.split())
    if not full_name:
        raise InvalidInput("Enter the person's name.", field="full_name")
    if manager is not None and manager.organization_id != organization.pk:
        raise NotFound("No such manager in your organization.")
    person = person_create(organization=organization, full_name=full_name, email=email,
                           department=department, manager=manager, status=status, title=title,
                           location=location, start_date=start_date)
    audit_record(organization=organization, actor=actor, action="people.person_added",
                 target=person, data={"status": status})
    if stage or status == Person.Status.CANDIDATE:
        _onboarding_start(person=person, stage=stage or Stage.JOB_POSTING, actor=actor,
                          note="Added")
    return person


@transaction.atomic
def person_update(*, person: Person, actor: User, values: dict[str, Any]) -> Person:
    """Change a person's HR record (HR only). `values` may hold any of PERSON_FIELDS;
    `department` is a name. A leaver's open assignments are cancelled: nobody chases people
    who left. Returns the person; audits the names of the changed fields (not their values)."""
    _require_hr(actor, "edit people")
    changed = _person_apply(person=person, values=values, actor=actor)
    if changed:
        person.save()
        audit_record(organization=person.organization, actor=actor,
                     action="people.person_updated", target=person,
                     data={"fields": sorted(changed)})
        if "status" in changed and person.status == Person.Status.LEAVER:
            person.attestation_assignments.filter(status=Assignment.Status.PENDING).update(
                status=Assignment.Status.CANCELLED)
            leaver_offboard(person=person, actor=actor, reason="Marked as a leaver by HR")
    return person


def leaver_offboard(*, person: Person, actor: User | None, reason: str) -> None:
    """HR recorded that someone left: run offboarding (accounts, monitoring consent, advocacy
    attribution, verified affiliation; see chorus.provisioning) when that app is installed."""
    from django.apps import apps

    if apps.is_installed("chorus.provisioning"):
        from chorus.provisioning.services import person_offboard

        person_offboard(person=person, actor=actor, reason=reason, source="hr")


def _person_apply(*, person: Person, values: dict[str, Any], actor: User | None) -> set[str]:
    changed: set[str] = set()
    for name, value in values.items():
        if name not in PERSON_FIELDS:
            raise InvalidInput(f"Unknown field {name!r}.", field=name)
        if name == "email":
            value = str(value).strip().lower()
            try:
                validate_email(value)
            except ValidationError:
                raise InvalidInput(f"“{value}” is not an e-mail address.", field="email") from None
            clash = Person.objects.filter(organization_id=person.organization_id,
                                          email__iexact=value).exclude(pk=person.pk)
            if clash.exists():
                raise InvalidInput(f"{value} is already on the people list.", field="email")
        if name == "full_name":
            value = " ".join(str(value).split())
            if not value:
                raise InvalidInput("Enter the person's name.", field="full_name")
        if name == "department":
            value = (department_get_or_create(organization=person.organization, name=value)
                     if value else None)
        if name == "manager" and value is not None:
            if value.pk == person.pk:
                raise InvalidInput("A person cannot be their own manager.", field="manager")
            if value.organization_id != person.organization_id:
                raise NotFound("No such manager in your organization.")
        if name == "status" and value not in Person.Status.values:
            raise InvalidInput("Use candidate, employee or leaver.", field="status")
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed.add(name)
    return changed


def _onboarding_start(*, person: Person, stage: str, actor: User | None, note: str
                      ) -> PersonOnboarding:
    now = timezone.now()
    onboarding = PersonOnboarding.objects.create(
        organization_id=person.organization_id, person=person, stage=stage,
        stage_changed_at=now)
    StageChange.objects.create(onboarding=onboarding, actor=actor, from_stage="",
                               to_stage=stage, note=note[:300], at=now)
    new_hire_assign(person=person, onboarding=onboarding)
    return onboarding


def _stage_move(*, onboarding: PersonOnboarding, stage: str, actor: User | None, note: str
                ) -> PersonOnboarding:
    old = onboarding.stage
    onboarding.stage, onboarding.stage_changed_at = stage, timezone.now()
    onboarding.save(update_fields=["stage", "stage_changed_at", "updated_at"])
    StageChange.objects.create(onboarding=onboarding, actor=actor, from_stage=old,
                               to_stage=stage, note=note[:300], at=onboarding.stage_changed_at)
    audit_record(organization=onboarding.person.organization, actor=actor,
                 action="onboarding.stage_changed", target=onboarding.person,
                 data={"from": old, "to": stage})
    new_hire_assign(person=onboarding.person, onboarding=onboarding)
    return onboarding


@transaction.atomic
def person_set_stage(*, person: Person, stage: str, actor: User, note: str = ""
                     ) -> PersonOnboarding:
    """Move a person through the pipeline (forward, or back one step to correct a slip).
    Reaching the introduction stage assigns the open new-hire campaigns."""
    _require_hr(actor, "move people through onboarding")
    if stage not in Stage.values:
        raise InvalidInput("Choose one of the onboarding stages.", field="stage")
    onboarding = PersonOnboarding.objects.select_for_update().filter(person=person).first()
    if onboarding is None:
        return _onboarding_start(person=person, stage=stage, actor=actor,
                                 note=note or "Started onboarding")
    if stage == onboarding.stage:
        return onboarding
    if stage not in ALLOWED_TRANSITIONS[onboarding.stage]:
        raise InvalidInput(
            f"{person.full_name} is at {onboarding.get_stage_display()}; a person moves "
            "forward, or back one step only.", field="stage")
    return _stage_move(onboarding=onboarding, stage=stage, actor=actor, note=note)


@transaction.atomic
def candidate_mark_not_hired(*, person: Person, actor: User) -> PersonOnboarding:
    """Record that a candidate was not hired. Starts the retention clock after which the
    candidate's records are deleted; open assignments are cancelled."""
    _require_hr(actor, "close candidates")
    if person.status != Person.Status.CANDIDATE:
        raise Conflict(f"{person.full_name} is not a candidate.")
    onboarding = PersonOnboarding.objects.filter(person=person).first()
    if onboarding is None:
        onboarding = _onboarding_start(person=person, stage=Stage.JOB_POSTING, actor=actor,
                                       note="Closed")
    if onboarding.not_hired_at is None:
        onboarding.not_hired_at = timezone.now()
        onboarding.save(update_fields=["not_hired_at", "updated_at"])
        person.attestation_assignments.filter(status=Assignment.Status.PENDING).update(
            status=Assignment.Status.CANCELLED)
        audit_record(organization=person.organization, actor=actor,
                     action="onboarding.candidate_not_hired", target=person, data={})
    return onboarding


@transaction.atomic
def person_sync_from_directory(*, person: Person, values: dict[str, Any], actor_label: str
                               ) -> set[str]:
    """Apply what the organization's directory (single sign-on, SCIM) says about a person to
    the HR record. The directory is trusted by the organization's configuration, so there is
    no role check; values are validated as HR edits are. Audited with the directory as actor
    (the names of the changed fields). Returns the changed fields."""
    changed = _person_apply(person=person, values=values, actor=None)
    if changed:
        person.save()
        audit_record(organization=person.organization, actor=actor_label,
                     action="people.person_updated", target=person,
                     data={"fields": sorted(changed), "by": "directory"})
    return changed
