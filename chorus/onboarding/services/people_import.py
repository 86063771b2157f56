"""CSV import of people: upload, preview (nothing written) and apply in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput
from chorus.onboarding.importing import (
    EMPTY_MESSAGE,
    CsvFileError,
    ParsedImport,
    csv_is_blank,
    parse_people_csv,
)
from chorus.onboarding.models import (
    Assignment,
    Campaign,
    PeopleImport,
    PersonOnboarding,
    Stage,
)
from chorus.onboarding.services.base import _require_hr
from chorus.onboarding.services.people import _onboarding_start, _stage_move, leaver_offboard
from chorus.onboarding.services.texts import onboarding_settings_for
from chorus.people.models import Department, Organization, Person, User
from chorus.people.services import department_get_or_create


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


@dataclass
class ImportResult:
    """What applying an import did, and the next step for the people it touched: who joined
    which open campaign, who was invited to create an account, who was not and why."""

    counts: dict[str, int]
    joined: list[tuple[str, list[str]]] = field(default_factory=list)  # (campaign, names)
    invited: list[str] = field(default_factory=list)  # e-mails
    not_invited: list[tuple[str, str]] = field(default_factory=list)  # (e-mail, reason)
    without_campaign: list[str] = field(default_factory=list)  # employees asked nothing

    def as_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "joined": [list(j) for j in self.joined],
                "invited": self.invited, "not_invited": [list(n) for n in self.not_invited],
                "without_campaign": self.without_campaign}


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
    if csv_is_blank(raw):
        # Refused before storing: an empty upload would only clutter "recent imports".
        raise InvalidInput(EMPTY_MESSAGE, field="file")
    return PeopleImport.objects.create(organization=organization, uploaded_by=actor,
                                       filename=filename[:255], content=raw)


def people_import_preview(*, people_import: PeopleImport) -> ImportPreview:
    """Dry run: parse and validate the stored file and say what applying it would do."""
    raw = bytes(people_import.content or b"")
    try:
        parsed = parse_people_csv(
            raw, known_emails=_known_emails(people_import.organization),
            date_order=onboarding_settings_for(
                organization=people_import.organization).import_date_order)
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
def people_import_apply(*, people_import: PeopleImport, actor: User, invite: bool = False,
                        join_open_campaigns: bool = False) -> ImportResult:
    """Apply a previewed import: all rows or none. Re-validates against the people list as it
    is now, matches people by e-mail (case-insensitive) so a re-import updates instead of
    duplicating, and leaves columns the file does not have untouched.

    Next steps, chosen on the apply screen: `join_open_campaigns` assigns the imported
    employees to the open campaigns for everyone or for their department (new-hire campaigns
    always pick up candidates by stage); `invite` sends an account invitation to each imported
    employee without an account. The result says who joined which campaign and who was (not)
    invited, with the reason."""
    _require_hr(actor, "import people")
    started = timezone.now()
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
    # People the import turns into leavers (not those who already were): they are offboarded.
    newly_left: set[int] = set()
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
            if person.status != Person.Status.LEAVER and fields["status"] == Person.Status.LEAVER:
                newly_left.add(person.pk)
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
            if person.pk in newly_left:
                leaver_offboard(person=person, actor=actor,
                                reason=f"Leaver in the HR import {locked.filename}")
        stage = str(v.get("stage") or "")
        if stage or person.status == Person.Status.CANDIDATE:
            onboarding = PersonOnboarding.objects.filter(person=person).first()
            if onboarding is None:
                _onboarding_start(person=person, stage=stage or Stage.JOB_POSTING, actor=actor,
                                  note=f"Imported from {locked.filename}")
            elif stage and stage != onboarding.stage:
                _stage_move(onboarding=onboarding, stage=stage, actor=actor,
                            note=f"Imported from {locked.filename}")
    people = [person for person, _ in touched]
    if join_open_campaigns:
        _join_open_campaigns(organization=org, people=people)
    result = ImportResult(counts=preview.counts)
    _describe_campaigns(result, people=people, since=started)
    if invite:
        _invite(result, organization=org, actor=actor, people=people)
    counts = preview.counts
    locked.applied_at = timezone.now()
    locked.content = b""  # the people list now holds the data; keep only the summary
    locked.summary = {**counts, "encoding": preview.parsed.encoding,
                      "delimiter": preview.parsed.delimiter, "rows": len(preview.parsed.rows),
                      "invited": len(result.invited),
                      "joined": sum(len(names) for _, names in result.joined)}
    locked.save(update_fields=["applied_at", "content", "summary", "updated_at"])
    audit_record(organization=org, actor=actor, action="people.imported", target=locked,
                 data=locked.summary)
    return result


def _join_open_campaigns(*, organization: Organization, people: list[Person]) -> None:
    """Assign imported employees to the open campaigns meant for them (everyone, or their
    department); nobody is asked twice for the same version (`_assign` checks)."""
    from chorus.onboarding.services.campaigns import _assign

    eligible = [p for p in people if p.status == Person.Status.EMPLOYEE]
    if not eligible:
        return
    for campaign in Campaign.objects.filter(
        organization=organization, closed_at__isnull=True,
        audience__in=[Campaign.Audience.EVERYONE, Campaign.Audience.DEPARTMENT],
    ).select_related("version").order_by("pk"):
        members = [p for p in eligible if campaign.audience == Campaign.Audience.EVERYONE
                   or p.department_id == campaign.department_id]
        if members:
            _assign(campaign=campaign, people=members)


def _describe_campaigns(result: ImportResult, *, people: list[Person], since: Any) -> None:
    joined: dict[str, list[str]] = {}
    asked: set[int] = set()
    for assignment in (Assignment.objects.filter(person__in=people, created_at__gte=since)
                       .select_related("campaign", "person").order_by("campaign_id",
                                                                      "person__full_name")):
        joined.setdefault(assignment.campaign.name, []).append(assignment.person.full_name)
        asked.add(assignment.person_id)
    pending = set(Assignment.objects.filter(person__in=people,
                                            status=Assignment.Status.PENDING)
                  .values_list("person_id", flat=True))
    result.joined = sorted(joined.items())
    result.without_campaign = sorted(
        p.full_name for p in people
        if p.status == Person.Status.EMPLOYEE and p.pk not in asked and p.pk not in pending)


def _invite(result: ImportResult, *, organization: Organization, actor: User,
            people: list[Person]) -> None:
    """Invite each imported employee without an account; refusals are reported, not fatal."""
    from chorus.administration.models import Invitation
    from chorus.administration.services import invitation_create
    from chorus.common.errors import DomainError

    accounts = {e.lower() for e in User.objects.filter(
        email__in=[p.email for p in people]).values_list("email", flat=True)}
    open_invites = {e.lower() for e in Invitation.objects.filter(
        organization=organization, accepted_at__isnull=True, revoked_at__isnull=True,
        expires_at__gt=timezone.now()).values_list("email", flat=True)}
    for person in people:
        if person.status != Person.Status.EMPLOYEE:
            continue
        if person.user_id or person.email.lower() in accounts:
            continue
        if person.email.lower() in open_invites:
            result.not_invited.append((person.email, "already invited, not answered yet"))
            continue
        try:
            invitation_create(organization=organization, actor=actor, email=person.email,
                              full_name=person.full_name, roles=["employee"], source="import")
        except DomainError as exc:
            result.not_invited.append((person.email, exc.message))
        else:
            result.invited.append(person.email)
