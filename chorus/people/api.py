"""API authentication and the caller's own account."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer

from chorus.common.types import AuthedRequest
from chorus.people.services import api_token_authenticate

router = Router(tags=["account"])


class BearerToken(HttpBearer):
    """`Authorization: Bearer chorus_…`: a personal token from the account page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    organization: str
    roles: list[str]


@router.get("/me", response=MeOut, summary="The authenticated user")
def me(request: AuthedRequest) -> dict[str, Any]:
    user = request.auth
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "organization": user.organization.name if user.organization else "",
        "roles": sorted(user.role_names),
    }
