"""CSV import of people: upload, preview (nothing written) and apply in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
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
from chorus.onboarding.models import Assignment, PeopleImport, PersonOnboarding, Stage
from chorus.onboarding.services.base import _require_hr
from chorus.onboarding.services.people import _onboarding_start, _stage_move
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
        stage = str(v.get("stage") or "")
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
