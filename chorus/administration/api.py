"""Admin API at /api/v1/admin: the same services as Admin → Users and roles and Admin →
Organization, for the organization's administrators (403 for everyone else, 404 for
another organization's ids)."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Router, Schema, Status

from chorus.administration import selectors, services
from chorus.administration.models import Invitation
from chorus.common.api import InputSchema
from chorus.common.types import AuthedRequest
from chorus.people.models import Organization, User

router = Router(tags=["admin"])


class UserOut(Schema):
    id: int
    email: str
    full_name: str
    roles: list[str]
    is_active: bool
    last_login: datetime.datetime | None


class RolesIn(InputSchema):
    roles: list[str]


class DeactivateIn(InputSchema):
    reason: str = ""


class InvitationIn(InputSchema):
    email: str
    full_name: str = ""
    roles: list[str] = ["employee"]


class InvitationOut(Schema):
    id: int
    email: str
    full_name: str
    roles: list[str]
    status: str
    expires_at: datetime.datetime
    send_count: int
    created_at: datetime.datetime


class OrganizationOut(Schema):
    id: int
    name: str
    slug: str
    timezone: str
    language: str
    jurisdictions: list[str]
    verified_domains: list[str]
    email_sender: str
    has_logo: bool


class OrganizationPatch(InputSchema):
    name: str | None = None
    timezone: str | None = None
    language: str | None = None
    jurisdictions: list[str] | None = None
    verified_domains: list[str] | None = None
    email_sender: str | None = None


def _user(u: User) -> dict[str, Any]:
    return {
        "id": u.pk,
        "email": u.email,
        "full_name": u.full_name,
        "roles": selectors.user_roles(u),
        "is_active": u.is_active,
        "last_login": u.last_login,
    }


def _invitation(i: Invitation) -> dict[str, Any]:
    return {
        "id": i.pk,
        "email": i.email,
        "full_name": i.full_name,
        "roles": list(i.roles),
        "status": i.status,
        "expires_at": i.expires_at,
        "send_count": i.send_count,
        "created_at": i.created_at,
    }


def _organization(o: Organization) -> dict[str, Any]:
    return {
        "id": o.pk,
        "name": o.name,
        "slug": o.slug,
        "timezone": o.timezone,
        "language": o.language,
        "jurisdictions": list(o.jurisdictions or []),
        "verified_domains": list(o.verified_domains or []),
        "email_sender": o.email_sender,
        "has_logo": bool(o.logo),
    }


@router.get("/users", response=list[UserOut], summary="Accounts of your organization")
def users_list(request: AuthedRequest, q: str = "", status: str = "") -> list[dict[str, Any]]:
    return [_user(u) for u in selectors.user_list_for(user=request.auth, q=q, status=status)]


@router.get("/users/{user_id}", response=UserOut, summary="One account")
def user_get(request: AuthedRequest, user_id: int) -> dict[str, Any]:
    return _user(selectors.user_get(user=request.auth, user_id=user_id))


@router.put("/users/{user_id}/roles", response=UserOut, summary="Replace an account's roles")
def user_roles(request: AuthedRequest, user_id: int, payload: RolesIn) -> dict[str, Any]:
    member = selectors.user_get(user=request.auth, user_id=user_id)
    services.user_roles_update(user=member, actor=request.auth, roles=payload.roles)
    return _user(selectors.user_get(user=request.auth, user_id=user_id))


@router.post("/users/{user_id}/deactivate", response=UserOut, summary="Deactivate an account")
def user_deactivate(request: AuthedRequest, user_id: int, payload: DeactivateIn) -> dict[str, Any]:
    member = selectors.user_get(user=request.auth, user_id=user_id)
    services.user_deactivate(user=member, actor=request.auth, reason=payload.reason)
    return _user(selectors.user_get(user=request.auth, user_id=user_id))


@router.post("/users/{user_id}/reactivate", response=UserOut, summary="Reactivate an account")
def user_reactivate(request: AuthedRequest, user_id: int) -> dict[str, Any]:
    member = selectors.user_get(user=request.auth, user_id=user_id)
    services.user_reactivate(user=member, actor=request.auth)
    return _user(selectors.user_get(user=request.auth, user_id=user_id))


@router.get("/invitations", response=list[InvitationOut], summary="Pending invitations")
def invitations_list(request: AuthedRequest) -> list[dict[str, Any]]:
    return [_invitation(i) for i in selectors.invitation_list_for(user=request.auth)]


@router.post("/invitations", response={201: InvitationOut}, summary="Invite someone by e-mail")
def invitation_create(request: AuthedRequest, payload: InvitationIn) -> Status:
    invitation = services.invitation_create(
        organization=request.auth.org,
        actor=request.auth,
        email=payload.email,
        full_name=payload.full_name,
        roles=payload.roles,
    )
    return Status(201, _invitation(invitation))


@router.post(
    "/invitations/{invitation_id}/resend", response=InvitationOut, summary="Resend (new link)"
)
def invitation_resend(request: AuthedRequest, invitation_id: int) -> dict[str, Any]:
    invitation = selectors.invitation_get(user=request.auth, invitation_id=invitation_id)
    return _invitation(services.invitation_resend(invitation=invitation, actor=request.auth))


@router.delete("/invitations/{invitation_id}", response=InvitationOut, summary="Revoke")
def invitation_revoke(request: AuthedRequest, invitation_id: int) -> dict[str, Any]:
    invitation = selectors.invitation_get(user=request.auth, invitation_id=invitation_id)
    return _invitation(services.invitation_revoke(invitation=invitation, actor=request.auth))


@router.get("/organization", response=OrganizationOut, summary="Your organization's settings")
def organization_get(request: AuthedRequest) -> dict[str, Any]:
    services.require_admin(request.auth, "read the organization's settings")
    return _organization(request.auth.org)


@router.patch("/organization", response=OrganizationOut, summary="Change settings")
def organization_patch(request: AuthedRequest, payload: OrganizationPatch) -> dict[str, Any]:
    values = payload.dict(exclude_none=True)
    org = services.organization_update(
        organization=request.auth.org, actor=request.auth, values=values
    )
    return _organization(org)
