"""Writes for people (edit, import), onboarding stages, campaigns, attestations, reminders
and retention. Every write that matters is audited inside its own transaction."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from chorus.onboarding.importing import CsvFileError, ParsedImport, parse_people_csv
from chorus.onboarding.models import (
    ALLOWED_TRANSITIONS,
    PRESET_INTRODUCE_AT,
    Assignment,
    Attestation,
    AttestationLink,
    Campaign,
    KnowledgeCheck,
    OnboardingSettings,
    PeopleImport,
    PersonOnboarding,
    QuizQuestion,
    Reminder,
    Stage,
    StageChange,
    stage_index,
)
from chorus.people.models import Department, Organization, Person, User
from chorus.people.roles import Role
from chorus.people.services import department_get_or_create, person_create
from chorus.policy.models import PolicyVersion

logger = logging.getLogger(__name__)

LINK_SALT = "chorus.onboarding.attestation-link"
PERSON_FIELDS = ("full_name", "email", "department", "manager", "title", "location",
                 "start_date", "status", "external_id")


def _require_hr(user: User, doing: str) -> None:
    if not (user.has_role(Role.HR) or user.has_role(Role.ADMIN)):
        raise PermissionDenied(f"Only HR and administrators can {doing}.")


# --- Settings and texts ------------------------------------------------------------------


def onboarding_settings_for(*, organization: Organization) -> OnboardingSettings:
    """The organization's settings, or unsaved defaults when it never changed them."""
    found = OnboardingSettings.objects.filter(organization=organization).first()
    return found or OnboardingSettings(organization=organization)


@transaction.atomic
def onboarding_settings_update(*, organization: Organization, actor: User,
                               values: dict[str, Any]) -> OnboardingSettings:
    """Save the organization's onboarding settings and audit what changed."""
    _require_hr(actor, "change onboarding settings")
    current = onboarding_settings_for(organization=organization)
    changed = {}
    for name, value in values.items():
        if getattr(current, name) != value:
            changed[name] = value
            setattr(current, name, value)
    current.save()
    if changed:
        audit_record(organization=organization, actor=actor, action="onboarding.settings_changed",
                     target=current, data={"changed": sorted(changed)})
    return current


def policy_preset(version: PolicyVersion | None) -> str:
    preset = (getattr(version, "document", None) or {}).get("preset", "balanced")
    return preset if preset in PRESET_INTRODUCE_AT else "balanced"


def introduce_stage_for(*, organization: Organization, version: PolicyVersion | None) -> str:
    """The stage at which new hires are asked to acknowledge the policy: the organization's
    override, else what the policy's preset suggests (strict: offer, balanced: pre-boarding,
    loose: first week)."""
    override = onboarding_settings_for(organization=organization).introduce_at
    return override or PRESET_INTRODUCE_AT[policy_preset(version)]


def job_ad_notice(*, organization: Organization, settings_row: OnboardingSettings | None = None
                  ) -> str:
    """A short notice for job ads: what candidates will be asked, and what we never ask."""
    row = settings_row or onboarding_settings_for(organization=organization)
    if row.job_ad_notice.strip():
        return row.job_ad_notice.strip()
    return (
        f"{organization.name} has a social media policy for everyone who works here. If you "
        "receive an offer, we will ask you to read it and confirm that you received it. "
        "We never ask for passwords or access to your personal accounts, and nothing in the "
        "policy limits your right to talk about pay, hours or working conditions."
    )


def offer_clause(*, organization: Organization, version: PolicyVersion | None,
                 settings_row: OnboardingSettings | None = None) -> str:
    """Offer-letter text for the strict preset: acknowledgment of receipt, the employee's
    rights, and the notices the research requires (DTSA for US, §12964.5 for California)."""
    row = settings_row or onboarding_settings_for(organization=organization)
    if row.offer_clause.strip():
        return row.offer_clause.strip()
    version_text = f" (version {version.number})" if version else ""
    parts = [
        f"Social media policy. Before your first day you will receive {organization.name}'s "
        f"Social Media Policy{version_text}. We ask you to read it and confirm that you "
        "received it; the confirmation records receipt and is not consent to any monitoring.",
        "Nothing in the policy or in this letter limits your right to discuss your wages, "
        "hours or other terms and conditions of employment, to act together with co-workers "
        "for mutual aid or protection, or to report a possible violation of law to a "
        "government agency.",
    ]
    jurisdictions = {j.upper() for j in organization.jurisdictions}
    if "US-CA" in jurisdictions:
        parts.append(
            "Nothing in this agreement prevents you from discussing or disclosing information "
            "about unlawful acts in the workplace, such as harassment or discrimination or any "
            "other conduct that you have reason to believe is unlawful."
        )
    if any(j.split("-")[0] == "US" for j in jurisdictions):
        parts.append(
            "Under the Defend Trade Secrets Act (18 U.S.C. § 1833(b)) you are immune from "
            "liability for disclosing a trade secret in confidence to a government official or "
            "an attorney solely to report or investigate a suspected violation of law, or in a "
            "complaint or other document filed under seal in a lawsuit."
        )
    return "\n\n".join(parts)


def acknowledgment_statement(version: PolicyVersion) -> str:
    """What the person confirms: receipt and reading, never blanket agreement or consent."""
    return (
        f"I confirm that I received and read version {version.number} of “{version.policy}” "
        f"(fingerprint {version.content_hash[:12]}). This confirms receipt only; it is not "
        "consent to monitoring, and nothing in the policy limits my right to discuss pay, "
        "hours or working conditions."
    )


# --- People ---------------------------------------------------------------------------------


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
    return person


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


# --- Import ---------------------------------------------------------------------------------


@dataclass
class ImportPreview:
    people_import: PeopleImport
    parsed: ParsedImport | None
    file_error: str
    actions: dict[int, str]  # row -> create | update | unchanged

    @property
    def ok(self) -> bool:
        return self.parsed is not None and self.parsed.ok and not self.file_error

    @property
    def counts(self) -> dict[str, int]:
        out = {"create": 0, "update": 0, "unchanged": 0}
        for action in self.actions.values():
            out[action] = out.get(action, 0) + 1
        return out


def _known_emails(organization: Organization) -> set[str]:
    return {e.lower() for e in Person.objects.filter(organization=organization)
            .values_list("email", flat=True)}


def people_import_upload(*, organization: Organization, actor: User, filename: str,
                         raw: bytes) -> PeopleImport:
    """Store an uploaded HR export for preview. Nothing touches the people list yet."""
    _require_hr(actor, "import people")
    if len(raw) > settings.UPLOAD_MAX_BYTES:
        raise InvalidInput(f"The file is {len(raw) / 1_048_576:.1f} MB; the limit is "
                           f"{settings.UPLOAD_MAX_BYTES / 1_048_576:.0f} MB.", field="file")
    return PeopleImport.objects.create(organization=organization, uploaded_by=actor,
                                       filename=filename[:255], content=raw)


def people_import_preview(*, people_import: PeopleImport) -> ImportPreview:
    """Dry run: parse and validate the stored file and say what applying it would do."""
    raw = bytes(people_import.content or b"")
    try:
        parsed = parse_people_csv(raw, known_emails=_known_emails(people_import.organization))
    except CsvFileError as exc:
        return ImportPreview(people_import, None, str(exc), {})
    existing = {p.email.lower(): p for p in Person.objects.filter(
        organization_id=people_import.organization_id).select_related("department", "manager")}
    actions = {}
    for row in parsed.rows:
        person = existing.get(str(row.values.get("email")))
        if person is None:
            actions[row.row] = "create"
        else:
            actions[row.row] = "update" if _row_differs(person, row.values) else "unchanged"
    return ImportPreview(people_import, parsed, "", actions)


def _row_differs(person: Person, values: dict[str, Any]) -> bool:
    current = {
        "name": person.full_name, "status": person.status, "title": person.title,
        "location": person.location, "start_date": person.start_date,
        "external_id": person.external_id,
        "department": person.department.name if person.department else "",
        "manager": person.manager.email.lower() if person.manager else "",
    }
    return any(k in values and k in current and (values[k] or "") != (current[k] or "")
               for k in current if k in values and k not in {"start_date"}) or (
        "start_date" in values and values["start_date"] != person.start_date)


@transaction.atomic
def people_import_apply(*, people_import: PeopleImport, actor: User) -> dict[str, int]:
    """Apply a previewed import: all rows or none. Re-validates against the people list as it
    is now, matches people by e-mail (case-insensitive) so a re-import updates instead of
    duplicating, and leaves columns the file does not have untouched. Returns counts."""
    _require_hr(actor, "import people")
    locked = PeopleImport.objects.select_for_update().get(pk=people_import.pk)
    if locked.applied_at is not None:
        raise Conflict("This import was already applied. Upload the file again to re-import.")
    preview = people_import_preview(people_import=locked)
    if preview.file_error:
        raise InvalidInput(preview.file_error, field="file")
    assert preview.parsed is not None
    if not preview.parsed.ok:
        raise InvalidInput(f"The file has {len(preview.parsed.errors)} problem(s); fix them and "
                           "upload it again. Nothing was imported.", field="file")
    org = locked.organization
    by_email = {p.email.lower(): p for p in Person.objects.filter(organization=org)}
    departments: dict[str, Department] = {}
    touched: list[tuple[Person, dict[str, Any]]] = []
    for row in preview.parsed.rows:
        v = row.values
        fields: dict[str, Any] = {"full_name": v["name"], "status": v["status"]}
        for column in ("title", "location", "external_id", "start_date"):
            if column in v:
                fields[column] = v[column]
        if "department" in v:
            name = str(v["department"])
            if name and name.lower() not in departments:
                departments[name.lower()] = department_get_or_create(organization=org, name=name)
            fields["department"] = departments.get(name.lower()) if name else None
        person = by_email.get(str(v["email"]))
        if person is None:
            person = Person.objects.create(organization=org, email=str(v["email"]), **fields)
            by_email[person.email] = person
        else:
            for name, value in fields.items():
                setattr(person, name, value)
        touched.append((person, v))
    for person, v in touched:
        if "manager" in v:
            person.manager = by_email.get(str(v["manager"])) if v["manager"] else None
        person.save()
        if person.status == Person.Status.LEAVER:
            person.attestation_assignments.filter(status=Assignment.Status.PENDING).update(
                status=Assignment.Status.CANCELLED)
        stage = v.get("stage") or ""
        if stage or person.status == Person.Status.CANDIDATE:
            onboarding = PersonOnboarding.objects.filter(person=person).first()
            if onboarding is None:
                _onboarding_start(person=person, stage=stage or Stage.JOB_POSTING, actor=actor,
                                  note=f"Imported from {locked.filename}")
            elif stage and stage != onboarding.stage:
                _stage_move(onboarding=onboarding, stage=stage, actor=actor,
                            note=f"Imported from {locked.filename}")
    counts = preview.counts
    locked.applied_at = timezone.now()
    locked.content = b""  # the people list now holds the data; keep only the summary
    locked.summary = {**counts, "encoding": preview.parsed.encoding,
                      "delimiter": preview.parsed.delimiter, "rows": len(preview.parsed.rows)}
    locked.save(update_fields=["applied_at", "content", "summary", "updated_at"])
    audit_record(organization=org, actor=actor, action="people.imported", target=locked,
                 data=locked.summary)
    return counts


# --- Stages ---------------------------------------------------------------------------------


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


# --- Campaigns and assignments --------------------------------------------------------------


def _published_version(*, organization: Organization, version_id: int) -> PolicyVersion:
    version = (PolicyVersion.objects.select_related("policy")
               .filter(pk=version_id, organization_id=organization.pk,
                       status="published").first())
    if version is None:
        raise InvalidInput("Choose a published version of one of your policies.",
                           field="version")
    return version


@transaction.atomic
def campaign_create(*, organization: Organization, actor: User, name: str, version_id: int,
                    audience: str, department: Department | None = None,
                    due_days: int | None = None) -> Campaign:
    """Start a campaign and assign the version to its audience: everyone (employees and
    candidates in onboarding, not leavers), one department, or new hires as they reach the
    introduction stage (those already past it are assigned now). Invitations go out after
    commit. Nobody is assigned a version they already acknowledged."""
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
    created = _assign(campaign=campaign, people=people)
    audit_record(organization=organization, actor=actor, action="onboarding.campaign_started",
                 target=campaign, data={"version": version.number, "audience": audience,
                                        "assigned": len(created)})
    return campaign


def _assign(*, campaign: Campaign, people: Iterable[Person],
            previous: dict[int, PolicyVersion] | None = None) -> list[Assignment]:
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


def on_policy_version_published(version: PolicyVersion) -> None:
    """Publish hook (chorus.policy.hooks). Open campaigns of the policy and their pending
    assignments move to the new version, so nobody is asked to read outdated text. A material
    version also opens a re-attestation campaign for everyone who acknowledged an earlier
    version; a non-material one asks nothing of people who already did. Runs after the
    publication committed (the policy app schedules hooks with on_commit)."""
    with transaction.atomic():
        organization = version.organization
        # One version is in force per organization, so every other version (of this policy or
        # one it replaced) is an earlier one.
        older = Q(version__organization_id=version.organization_id) & ~Q(version_id=version.pk)
        Campaign.objects.filter(older, closed_at__isnull=True).update(version=version)
        for assignment in Assignment.objects.filter(older, status=Assignment.Status.PENDING):
            if Attestation.objects.filter(person_id=assignment.person_id,
                                          version=version).exists():
                assignment.status = Assignment.Status.DONE
            assignment.version = version
            assignment.save(update_fields=["version", "status", "updated_at"])
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


# --- Knowledge check ------------------------------------------------------------------------


@transaction.atomic
def knowledge_check_add_question(*, version: PolicyVersion, actor: User, prompt: str,
                                 choices: Sequence[str], correct: int, explanation: str = ""
                                 ) -> QuizQuestion:
    """Add a multiple-choice question to a version's knowledge check (created on first use)."""
    _require_hr(actor, "edit knowledge checks")
    prompt = prompt.strip()
    choices = [c.strip() for c in choices if c and c.strip()]
    if not prompt:
        raise InvalidInput("Write the question.", field="prompt")
    if len(choices) < 2:
        raise InvalidInput("Give at least two answers to choose from.", field="choices")
    if len(set(c.lower() for c in choices)) != len(choices):
        raise InvalidInput("Two answers are the same; make each one different.",
                           field="choices")
    if not 0 <= correct < len(choices):
        raise InvalidInput("Mark which answer is right.", field="correct")
    check, _ = KnowledgeCheck.objects.get_or_create(
        version=version, defaults={"organization": version.organization})
    question = QuizQuestion.objects.create(
        knowledge_check=check, prompt=prompt[:300], choices=choices, correct=correct,
        explanation=explanation.strip()[:500], order=check.questions.count())
    audit_record(organization=check.organization, actor=actor,
                 action="onboarding.quiz_question_added", target=check,
                 data={"version": version.number})
    return question


@transaction.atomic
def knowledge_check_update(*, version: PolicyVersion, actor: User, pass_mark: int
                           ) -> KnowledgeCheck:
    _require_hr(actor, "edit knowledge checks")
    check = KnowledgeCheck.objects.filter(version=version).first()
    if check is None:
        raise InvalidInput("Add a question first.", field="pass_mark")
    total = check.questions.count()
    if not 1 <= pass_mark <= total:
        raise InvalidInput(f"The pass mark must be between 1 and {total} (the number of "
                           "questions).", field="pass_mark")
    check.pass_mark = pass_mark
    check.save(update_fields=["pass_mark", "updated_at"])
    return check


@transaction.atomic
def knowledge_check_remove_question(*, question: QuizQuestion, actor: User) -> None:
    _require_hr(actor, "edit knowledge checks")
    check = question.knowledge_check
    question.delete()
    check.pass_mark = max(1, min(check.pass_mark, check.questions.count()))
    check.save(update_fields=["pass_mark", "updated_at"])


def knowledge_check_grade(*, version: PolicyVersion, answers: dict[int, int]
                          ) -> tuple[int, int, list[int]]:
    """(correct, total, ids of wrongly answered questions). No check: (0, 0, [])."""
    check = KnowledgeCheck.objects.filter(version=version).first()
    if check is None:
        return 0, 0, []
    questions = list(check.questions.all())
    wrong = [q.pk for q in questions if answers.get(q.pk) != q.correct]
    return len(questions) - len(wrong), len(questions), wrong


# --- Attesting --------------------------------------------------------------------------------


class QuizNotPassed(InvalidInput):
    def __init__(self, message: str, *, wrong: list[int]) -> None:
        super().__init__(message, field="quiz")
        self.wrong = wrong


@transaction.atomic
def attestation_create(*, assignment: Assignment, channel: str, content_hash: str,
                       confirmed: bool, answers: dict[int, int] | None = None,
                       user: User | None = None, link: AttestationLink | None = None
                       ) -> Attestation:
    """Record that the assigned person received and read the version. Idempotent: a second
    submission (double click, second tab, replayed link) returns the existing record and
    writes nothing. Refuses, writing nothing, when the statement is not confirmed, the quiz
    is not passed, or the text changed since the page was shown (`content_hash`)."""
    assignment = (Assignment.objects.select_for_update().select_related(
        "person", "version", "version__policy", "campaign").get(pk=assignment.pk))
    existing = Attestation.objects.filter(person=assignment.person,
                                          version=assignment.version).first()
    if existing is not None:
        return existing
    if assignment.status != Assignment.Status.PENDING:
        raise Conflict("This request is closed; there is nothing left to acknowledge.")
    version = assignment.version
    if content_hash != version.content_hash:
        raise Conflict("The policy changed while you were reading it. Read the current version "
                       "below and confirm again.")
    correct, total, wrong = knowledge_check_grade(version=version, answers=answers or {})
    if total:
        check = KnowledgeCheck.objects.get(version=version)
        if correct < check.pass_mark:
            raise QuizNotPassed(
                f"You answered {correct} of {total} questions correctly; {check.pass_mark} are "
                "needed. Reread the policy and try again: nothing was recorded.", wrong=wrong)
    if not confirmed:
        raise InvalidInput("Tick the box to confirm you received and read the policy.",
                           field="confirm")
    text = version.plain_text()
    now = timezone.now()
    try:
        with transaction.atomic():
            attestation = Attestation.objects.create(
                organization_id=assignment.organization_id, person=assignment.person,
                version=version, assignment=assignment, person_name=assignment.person.full_name,
                person_email=assignment.person.email, policy_title=str(version.policy)[:300],
                version_number=version.number, content_hash=version.content_hash,
                text_shown=text, text_sha256=hashlib.sha256(text.encode()).hexdigest(),
                statement=acknowledgment_statement(version), channel=channel,
                user_id_at_time=user.pk if user else None, language=settings.LANGUAGE_CODE,
                quiz_correct=correct if total else None, quiz_total=total or None,
                attested_at=now)
    except IntegrityError:
        # Another request won the race on the unique constraint: theirs is the record.
        return Attestation.objects.get(person=assignment.person, version=version)
    # Every pending request for this version is satisfied by one acknowledgment.
    Assignment.objects.filter(person=assignment.person, version=version,
                              status=Assignment.Status.PENDING).update(
        status=Assignment.Status.DONE, completed_at=now)
    if link is not None:
        AttestationLink.objects.filter(pk=link.pk).update(used_at=now)
    audit_record(organization=assignment.person.organization, actor=user,
                 action="onboarding.attested", target=attestation,
                 data={"version": version.number, "content_hash": version.content_hash,
                       "channel": channel, "campaign": assignment.campaign_id})
    return attestation


# --- Signed links -----------------------------------------------------------------------------


class LinkProblem(Exception):
    """Why a link does not work: `kind` is tampered | expired | used | closed."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@transaction.atomic
def attestation_link_create(*, assignment: Assignment, actor: User | None) -> str:
    """A new single-person link for an assignment; returns the token for `/a/<token>`."""
    if actor is not None:
        _require_hr(actor, "create attestation links")
    if assignment.status != Assignment.Status.PENDING:
        raise Conflict("This request is already closed; no link is needed.")
    valid_days = onboarding_settings_for(organization=assignment.person.organization
                                         ).link_valid_days
    link = AttestationLink.objects.create(
        organization_id=assignment.organization_id, assignment=assignment,
        nonce=secrets.token_urlsafe(12), valid_days=valid_days, created_by=actor)
    if actor is not None:
        audit_record(organization=assignment.person.organization, actor=actor,
                     action="onboarding.link_created", target=assignment.person,
                     data={"assignment": assignment.pk, "valid_days": valid_days})
    return signing.TimestampSigner(salt=LINK_SALT).sign(f"{link.pk}-{link.nonce}")


def attestation_link_resolve(token: str) -> AttestationLink:
    """The link for a token, or LinkProblem. Reads only; checks the signature, the age
    against the link's validity, single use and whether the request is still open."""
    signer = signing.TimestampSigner(salt=LINK_SALT)
    try:
        value = signer.unsign(token)
        pk, nonce = value.split("-", 1)
        link = (AttestationLink.objects.select_related(
            "assignment", "assignment__person", "assignment__version",
            "assignment__version__policy", "assignment__previous_version",
            "assignment__person__organization").filter(pk=int(pk), nonce=nonce).first())
    except (signing.BadSignature, ValueError):
        raise LinkProblem("tampered") from None
    if link is None:
        raise LinkProblem("tampered")
    try:
        signer.unsign(token, max_age=datetime.timedelta(days=link.valid_days))
    except signing.SignatureExpired:
        raise LinkProblem("expired") from None
    if link.used_at is not None or link.assignment.status == Assignment.Status.DONE:
        raise LinkProblem("used")
    if link.assignment.status != Assignment.Status.PENDING:
        raise LinkProblem("closed")
    return link


def attestation_url(token: str) -> str:
    return settings.SITE_URL + reverse("onboarding-public:attest", args=[token])


# --- Reminders ------------------------------------------------------------------------------


def _send(*, assignment: Assignment, kind: str, key: str, to: str, subject: str,
          template: str, context: dict[str, Any], sent_by: User | None = None) -> bool:
    """Record then send one e-mail in one transaction: if sending fails the record rolls back
    and the next run retries; if the key exists the e-mail was sent and nothing happens."""
    try:
        with transaction.atomic():
            Reminder.objects.create(organization_id=assignment.organization_id,
                                    assignment=assignment, kind=kind, key=key,
                                    recipient_email=to, sent_by=sent_by)
            body = render_to_string(template, context)
            send_mail(subject, body, None, [to])
    except IntegrityError:
        return False
    return True


def _person_context(assignment: Assignment) -> dict[str, Any]:
    person = assignment.person
    if person.user_id:
        url = settings.SITE_URL + reverse("onboarding:me")
    else:
        url = attestation_url(attestation_link_create(assignment=assignment, actor=None))
    return {"assignment": assignment, "person": person, "url": url,
            "organization": person.organization, "version": assignment.version}


def assignment_invite(*, assignment: Assignment) -> bool:
    """Send the first e-mail for an assignment (once; reruns send nothing)."""
    if assignment.status != Assignment.Status.PENDING:
        return False
    if Reminder.objects.filter(key=f"a{assignment.pk}:invite").exists():
        return False
    subject = (f"Please re-read our social media policy (version {assignment.version.number})"
               if assignment.is_reattest else "Please read our social media policy")
    return _send(assignment=assignment, kind=Reminder.Kind.INVITE,
                 key=f"a{assignment.pk}:invite", to=assignment.person.email, subject=subject,
                 template="onboarding/email/invite.txt", context=_person_context(assignment))


@dataclass(frozen=True)
class ReminderRun:
    reminders: int
    escalations: int


def reminders_send(*, now: datetime.datetime | None = None) -> ReminderRun:
    """Remind people with pending assignments every `reminder_every_days`, and tell their
    manager (or, without one, whoever started the campaign) once after `escalate_after_days`.
    Idempotent: each e-mail has a unique key (assignment, kind, period), so a rerun in the
    same period sends nothing. Leavers, closed campaigns and not-hired candidates are skipped."""
    now = now or timezone.now()
    reminders = escalations = 0
    pending = (Assignment.objects.filter(status=Assignment.Status.PENDING,
                                         campaign__closed_at__isnull=True)
               .exclude(person__status=Person.Status.LEAVER)
               .select_related("person", "person__manager", "person__organization", "version",
                               "version__policy", "campaign", "campaign__created_by")
               .order_by("pk"))
    settings_by_org: dict[int, OnboardingSettings] = {}
    sent = set(Reminder.objects.filter(assignment__in=pending).values_list("key", flat=True))
    for assignment in pending.iterator(chunk_size=500):
        org = assignment.person.organization
        if org.pk not in settings_by_org:
            settings_by_org[org.pk] = onboarding_settings_for(organization=org)
        row = settings_by_org[org.pk]
        days = (now - assignment.assigned_at).days
        period = days // row.reminder_every_days
        key = f"a{assignment.pk}:reminder:{period}"
        if period >= 1 and key not in sent and _send(
                assignment=assignment, kind=Reminder.Kind.REMINDER, key=key,
                to=assignment.person.email,
                subject="Reminder: please read our social media policy",
                template="onboarding/email/reminder.txt",
                context={**_person_context(assignment), "days": days}):
            reminders += 1
        key = f"a{assignment.pk}:escalation"
        if days >= row.escalate_after_days and key not in sent:
            manager = assignment.person.manager
            to = manager.email if manager else getattr(assignment.campaign.created_by, "email",
                                                       "")
            if to and _send(assignment=assignment, kind=Reminder.Kind.ESCALATION, key=key,
                            to=to, subject=f"{assignment.person.full_name} has not yet "
                            "acknowledged the social media policy",
                            template="onboarding/email/escalation.txt",
                            context={"assignment": assignment, "person": assignment.person,
                                     "days": days, "manager": manager,
                                     "url": settings.SITE_URL + reverse("onboarding:overview")}):
                escalations += 1
    if reminders or escalations:
        logger.info("attestation reminders: %s sent, %s escalated", reminders, escalations)
    return ReminderRun(reminders, escalations)


@transaction.atomic
def assignment_nudge(*, assignment: Assignment, actor: User) -> bool:
    """HR sends a personal reminder now; at most one per assignment per day."""
    _require_hr(actor, "send nudges")
    if assignment.status != Assignment.Status.PENDING:
        raise Conflict(f"{assignment.person.full_name} has nothing pending here.")
    today = timezone.now().date().isoformat()
    sent = _send(assignment=assignment, kind=Reminder.Kind.NUDGE,
                 key=f"a{assignment.pk}:nudge:{today}", to=assignment.person.email,
                 subject="A reminder from HR: please read our social media policy",
                 template="onboarding/email/reminder.txt",
                 context={**_person_context(assignment), "nudged_by": actor,
                          "days": (timezone.now() - assignment.assigned_at).days},
                 sent_by=actor)
    if sent:
        audit_record(organization=actor.organization, actor=actor, action="onboarding.nudged",
                     target=assignment.person, data={"assignment": assignment.pk})
    return sent


# --- Retention --------------------------------------------------------------------------------


def candidates_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete candidates who were not hired and whose retention period has passed: the person,
    their onboarding, assignments, links, reminders and attestations. One audit entry per
    organization with the count only (no names or e-mails: that would defeat the deletion)."""
    now = now or timezone.now()
    purged = 0
    for org in Organization.objects.filter(
            pk__in=PersonOnboarding.objects.filter(not_hired_at__isnull=False)
            .values("organization_id")):
        days = onboarding_settings_for(organization=org).candidate_retention_days
        cutoff = now - datetime.timedelta(days=days)
        with transaction.atomic():
            people = Person.objects.filter(
                organization=org, status=Person.Status.CANDIDATE,
                onboarding__not_hired_at__lt=cutoff)
            ids = list(people.values_list("pk", flat=True))
            if not ids:
                continue
            Attestation.objects.filter(person_id__in=ids).purge_for_retention()
            Person.objects.filter(pk__in=ids).delete()
            audit_record(organization=org, actor=None, action="onboarding.candidates_purged",
                         data={"count": len(ids), "retention_days": days})
            purged += len(ids)
    return purged


# --- Evidence export --------------------------------------------------------------------------

EXPORT_FIELDS = ("id", "person_name", "person_email", "policy_title", "version_number",
                 "content_hash", "text_sha256", "channel", "language", "quiz_correct",
                 "quiz_total", "attested_at", "statement")


def attestations_export(*, organization: Organization, actor: User, fmt: str,
                        attestations: Iterable[Attestation]) -> tuple[bytes, str, str]:
    """Evidence of who acknowledged what, as CSV or JSON (bytes, content type, file name).
    JSON includes the exact text shown; CSV carries its SHA-256. The export is audited."""
    _require_hr(actor, "export attestation evidence")
    if fmt not in {"csv", "json"}:
        raise InvalidInput("Choose csv or json.", field="format")
    rows = []
    for a in attestations:
        row = {f: getattr(a, f) for f in EXPORT_FIELDS}
        row["attested_at"] = a.attested_at.isoformat()
        rows.append(row | ({"text_shown": a.text_shown} if fmt == "json" else {}))
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    if fmt == "json":
        body = json.dumps({"organization": organization.name,
                           "exported_at": timezone.now().isoformat(),
                           "exported_by": actor.email, "attestations": rows},
                          indent=2, ensure_ascii=False).encode()
        content_type = "application/json"
    else:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(EXPORT_FIELDS))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_safe(v) for k, v in row.items()})
        body = ("\ufeff" + out.getvalue()).encode()  # BOM: spreadsheets then read UTF-8
        content_type = "text/csv; charset=utf-8"
    audit_record(organization=organization, actor=actor, action="onboarding.evidence_exported",
                 data={"format": fmt, "count": len(rows)})
    return body, content_type, f"attestations-{organization.slug}-{stamp}.{fmt}"


def _csv_safe(value: Any) -> Any:
    # A cell starting with = + - @ runs as a formula in spreadsheets (CSV injection).
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@"}:
        return "'" + value
    return value
