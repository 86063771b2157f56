"""People (/api/v1/people) and onboarding (/api/v1/onboarding): campaigns and attestations.

Scoping is the UI's: HR and admins see the organization, managers their team, everyone else
themselves; another organization's objects are 404. Writes need HR (403 otherwise).
"""

from __future__ import annotations

import datetime
from typing import Any

from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from chorus.common.api import Id, InputSchema, Int, id_query, limit_query, offset_query
from chorus.common.errors import InvalidInput, NotFound
from chorus.common.types import AuthedRequest
from chorus.onboarding import selectors, services
from chorus.onboarding.models import Assignment, Attestation, Campaign
from chorus.people.models import Department, Person
from chorus.people.selectors import person_get

people_router = Router(tags=["people"])
router = Router(tags=["onboarding"])

PAGE_LIMIT = 200


class PersonOut(Schema):
    id: int
    full_name: str
    email: str
    status: str
    department: str | None
    manager_id: int | None
    manager_email: str | None
    title: str
    location: str
    start_date: datetime.date | None
    stage: str | None

    @staticmethod
    def from_person(p: Person) -> dict[str, Any]:
        onboarding = getattr(p, "onboarding", None)
        return {
            "id": p.pk, "full_name": p.full_name, "email": p.email, "status": p.status,
            "department": p.department.name if p.department else None,
            "manager_id": p.manager_id, "manager_email": p.manager.email if p.manager else None,
            "title": p.title, "location": p.location, "start_date": p.start_date,
            "stage": onboarding.stage if onboarding else None,
        }


class PersonIn(InputSchema):
    full_name: str
    email: str
    status: str = Person.Status.EMPLOYEE
    department: str = ""
    manager_id: Id | None = None
    title: str = ""
    location: str = ""
    start_date: datetime.date | None = None
    stage: str = ""


class PersonPatch(InputSchema):
    full_name: str | None = None
    email: str | None = None
    status: str | None = None
    department: str | None = None
    manager_id: Id | None = None
    title: str | None = None
    location: str | None = None
    start_date: datetime.date | None = None
    stage: str | None = None


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    applied: bool
    encoding: str | None
    delimiter: str | None
    rows: int
    counts: dict[str, int]
    file_error: str
    errors: list[RowErrorOut]
    # Next steps (only when applied): [campaign, [names]], invited e-mails, [e-mail, reason].
    joined: list[tuple[str, list[str]]] = []
    invited: list[str] = []
    not_invited: list[tuple[str, str]] = []


def _manager(user: Any, manager_id: int | None) -> Person | None:
    if manager_id is None:
        return None
    manager = Person.objects.filter(pk=manager_id, organization=user.organization).first()
    if manager is None:
        raise InvalidInput("No such manager in your organization.", field="manager_id")
    return manager


@people_router.get("", response=list[PersonOut], summary="People you may see")
def people_list(request: AuthedRequest, q: str = "", status: str = "",
                offset: int = offset_query(),
                limit: int = limit_query(100, PAGE_LIMIT)) -> list[dict[str, Any]]:
    people = selectors.people_for(user=request.auth, q=q, status=status)
    limit = max(1, min(limit, PAGE_LIMIT))
    return [PersonOut.from_person(p) for p in people[max(0, offset):max(0, offset) + limit]]


# Declared before /{person_id} so that "import" is not read as an id.
@people_router.post("/import", response=ImportOut,
                    summary="Import an HR CSV export (dry run unless apply=true)")
def people_import(request: AuthedRequest, file: UploadedFile = File(...),  # noqa: B008
                  apply: bool = Form(False), invite: bool = Form(False),
                  join_open_campaigns: bool = Form(False)) -> dict[str, Any]:
    """Upload the CSV as multipart `file`. Without `apply` nothing changes; with it, every row
    is imported or none (422 with the row errors in `detail`). `invite` e-mails an account
    invitation to imported employees without one; `join_open_campaigns` adds them to the
    open campaigns for everyone or their department. The answer says who joined what."""
    user = request.auth
    people_import = services.people_import_upload(
        organization=user.org, actor=user, filename=file.name or "upload.csv",
        raw=file.read())
    preview = services.people_import_preview(people_import=people_import)
    applied = False
    next_steps: dict[str, Any] = {}
    if apply and preview.ok:
        result = services.people_import_apply(
            people_import=people_import, actor=user, invite=invite,
            join_open_campaigns=join_open_campaigns)
        next_steps = {"joined": result.joined, "invited": result.invited,
                      "not_invited": result.not_invited}
        applied = True
    parsed = preview.parsed
    return {
        "applied": applied, "encoding": parsed.encoding if parsed else None,
        "delimiter": parsed.delimiter if parsed else None,
        "rows": len(parsed.rows) if parsed else 0, "counts": preview.counts,
        "file_error": preview.file_error,
        "errors": [e.__dict__ for e in parsed.errors] if parsed else [],
        **next_steps,
    }


@people_router.get("/{person_id}", response=PersonOut, summary="One person")
def people_get(request: AuthedRequest, person_id: int) -> dict[str, Any]:
    return PersonOut.from_person(selectors.person_detail(user=request.auth,
                                                         person_id=person_id))


@people_router.post("", response={201: PersonOut}, summary="Add a person (HR)")
def people_create(request: AuthedRequest, payload: PersonIn) -> Status:
    user = request.auth
    person = services.person_add(
        organization=user.org, actor=user, full_name=payload.full_name,
        email=payload.email, department=payload.department,
        manager=_manager(user, payload.manager_id), title=payload.title,
        location=payload.location, start_date=payload.start_date, status=payload.status,
        stage=payload.stage)
    return Status(201, PersonOut.from_person(selectors.person_detail(user=user,
                                                                      person_id=person.pk)))


@people_router.patch("/{person_id}", response=PersonOut, summary="Edit a person (HR)")
def people_update(request: AuthedRequest, person_id: int, payload: PersonPatch) -> dict[str, Any]:
    user = request.auth
    person = person_get(user=user, person_id=person_id)
    values = payload.dict(exclude_unset=True)
    for field in ("full_name", "email", "status", "stage"):
        if field in values and values[field] is None:
            raise InvalidInput(f"{field} cannot be null: leave it out to keep it.", field=field)
    for field in ("title", "location", "department"):
        if field in values and values[field] is None:
            values[field] = ""  # null clears an optional text field
    stage = values.pop("stage", None)
    if "manager_id" in values:
        values["manager"] = _manager(user, values.pop("manager_id"))
    services.person_update(person=person, actor=user, values=values)
    if stage:
        services.person_set_stage(person=person, stage=stage, actor=user, note="API")
    return PersonOut.from_person(selectors.person_detail(user=user, person_id=person.pk))


class CampaignIn(InputSchema):
    name: str
    version_id: Id
    audience: str = Campaign.Audience.NEW_HIRES
    department_id: Id | None = None
    due_days: Int | None = None


class CampaignOut(Schema):
    id: int
    name: str
    version_id: int
    version_number: int
    audience: str
    department: str | None
    due_days: int
    closed: bool
    total: int
    done: int
    percent: int


def _campaign_out(c: Campaign) -> dict[str, Any]:
    total, done = getattr(c, "total", 0), getattr(c, "done", 0)
    return {"id": c.pk, "name": c.name, "version_id": c.version_id,
            "version_number": c.version.number, "audience": c.audience,
            "department": c.department.name if c.department else None, "due_days": c.due_days,
            "closed": c.closed_at is not None, "total": total, "done": done,
            "percent": round(100 * done / total) if total else 0}


@router.get("/campaigns", response=list[CampaignOut], summary="Campaigns with completion")
def campaigns_list(request: AuthedRequest) -> list[dict[str, Any]]:
    return [_campaign_out(c) for c in selectors.campaign_list_for(user=request.auth)[:200]]


@router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="One campaign")
def campaigns_get(request: AuthedRequest, campaign_id: int) -> dict[str, Any]:
    return _campaign_out(selectors.campaign_get(user=request.auth, campaign_id=campaign_id))


@router.post("/campaigns", response={201: CampaignOut}, summary="Start a campaign (HR)")
def campaigns_create(request: AuthedRequest, payload: CampaignIn) -> Status:
    user = request.auth
    department = None
    if payload.department_id is not None:
        department = Department.objects.filter(pk=payload.department_id,
                                               organization=user.organization).first()
        if department is None:
            raise NotFound("No such department in your organization.")
    campaign = services.campaign_create(
        organization=user.org, actor=user, name=payload.name,
        version_id=payload.version_id, audience=payload.audience, department=department,
        due_days=payload.due_days)
    return Status(201, _campaign_out(selectors.campaign_get(user=user,
                                                            campaign_id=campaign.pk)))


class AssignmentOut(Schema):
    id: int
    campaign_id: int
    person_id: int
    person_name: str
    version_number: int
    status: str
    due_at: datetime.datetime
    completed_at: datetime.datetime | None


@router.get("/assignments", response=list[AssignmentOut],
            summary="Acknowledgment requests (status: pending, overdue, needs_reattest, done)")
def assignments_list(request: AuthedRequest, campaign_id: int | None = id_query(),
                     offset: int = offset_query(),
                     limit: int = limit_query(100, PAGE_LIMIT)) -> list[dict[str, Any]]:
    from django.utils import timezone

    rows = selectors.assignment_list_for(user=request.auth).order_by("pk")
    if campaign_id is not None:
        rows = rows.filter(campaign_id=campaign_id)
    limit = max(1, min(limit, PAGE_LIMIT))
    now = timezone.now()
    return [{"id": a.pk, "campaign_id": a.campaign_id, "person_id": a.person_id,
             "person_name": a.person.full_name, "version_number": a.version.number,
             "status": a.display_status(now), "due_at": a.due_at,
             "completed_at": a.completed_at}
            for a in rows[max(0, offset):max(0, offset) + limit]]


class AttestationOut(Schema):
    id: int
    person_id: int
    person_name: str
    person_email: str
    version_id: int
    version_number: int
    content_hash: str
    text_sha256: str
    channel: str
    attested_at: datetime.datetime
    quiz_correct: int | None
    quiz_total: int | None


@router.get("/attestations", response=list[AttestationOut], summary="Attestation records")
def attestations_list(request: AuthedRequest, offset: int = offset_query(),
                      limit: int = limit_query(100, PAGE_LIMIT)) -> list[Attestation]:
    limit = max(1, min(limit, PAGE_LIMIT))
    rows = selectors.attestation_list_for(user=request.auth).order_by("-attested_at", "-pk")
    return list(rows.defer("text_shown")[max(0, offset):max(0, offset) + limit])


class AttestIn(InputSchema):
    content_hash: str
    confirm: bool
    # The client showed the whole text and the reader reached its end (required).
    read_to_end: bool = False
    answers: dict[Id, Int] = {}


@router.post("/assignments/{assignment_id}/attest", response={201: AttestationOut},
             summary="Acknowledge your own assignment (idempotent)")
def assignments_attest(request: AuthedRequest, assignment_id: int, payload: AttestIn
                       ) -> Status:
    user = request.auth
    assignment: Assignment = selectors.assignment_get_for_attesting(
        user=user, assignment_id=assignment_id)
    attestation = services.attestation_create(
        assignment=assignment, channel=Attestation.Channel.SESSION,
        content_hash=payload.content_hash, confirmed=payload.confirm, answers=payload.answers,
        user=user, read_stated=payload.read_to_end)
    return Status(201, attestation)
