"""/api/v1/provisioning: offboarding summaries for HR; the caller's own verified affiliation.
SCIM itself is at /scim/v2/ with the organization's SCIM token (chorus.provisioning.scim)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Router, Schema

from chorus.common.api import Id, InputSchema
from chorus.common.errors import NotFound
from chorus.common.types import AuthedRequest
from chorus.provisioning.services import (
    affiliation_current,
    affiliation_request,
    affiliation_revoke,
    offboarding_get,
)

router = Router(tags=["provisioning"])


class StepOut(Schema):
    key: str
    title: str
    summary: str


class OffboardingOut(Schema):
    person_id: int
    source: str
    reason: str
    offboarded_at: datetime
    reactivated_at: datetime | None
    steps: list[StepOut]


class AffiliationOut(Schema):
    id: int
    handle: str
    did: str
    dns_name: str
    dns_text: str
    profile_path: str
    created_at: datetime


class AffiliationIn(InputSchema):
    name: str = ""
    domain: str = ""
    did: str = ""


def _affiliation(record: Any) -> dict[str, Any]:
    return {"id": record.pk, "handle": record.handle, "did": record.did,
            "dns_name": record.dns_name if record.handle else "",
            "dns_text": record.dns_text if record.handle else "",
            "profile_path": f"/people/{record.profile_slug}/", "created_at": record.created_at}


@router.get("/offboardings/{person_id}", response=OffboardingOut,
            summary="What offboarding did for one person (HR)")
def offboarding(request: AuthedRequest, person_id: Id) -> Any:
    return offboarding_get(user=request.auth, person_id=person_id)


@router.get("/affiliation", response=AffiliationOut, summary="Your verified affiliation")
def affiliation(request: AuthedRequest) -> Any:
    person = request.auth.person
    record = affiliation_current(person=person) if person is not None else None
    if record is None:
        raise NotFound("You have no verified affiliation; ask for one with POST.")
    return _affiliation(record)


@router.post("/affiliation", response={201: AffiliationOut},
             summary="Ask for a verified handle (name, domain, did) or only a profile page")
def affiliation_create(request: AuthedRequest, payload: AffiliationIn) -> Any:
    record = affiliation_request(user=request.auth, name=payload.name, domain=payload.domain,
                                 did=payload.did)
    return 201, _affiliation(record)


@router.post("/affiliation/{affiliation_id}/revoke", response=AffiliationOut,
             summary="Revoke a verified affiliation now (yours, or anyone's as administrator)")
def affiliation_revoke_api(request: AuthedRequest, affiliation_id: Id) -> Any:
    return _affiliation(affiliation_revoke(user=request.auth, affiliation_id=affiliation_id))
