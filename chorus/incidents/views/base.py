"""What the incident pages share: role checks, loading an incident the user may see, and
the people an incident can be about."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404

from chorus.common.errors import NotFound
from chorus.common.types import AuthedRequest
from chorus.incidents import selectors as Q
from chorus.incidents.models import Incident
from chorus.people.models import Person


def _require(request: AuthedRequest, *roles: str) -> None:
    if not any(request.user.has_role(r) for r in roles):
        raise DjangoPermissionDenied


def _get(request: AuthedRequest, pk: int) -> Incident:
    try:
        return Q.incident_get(user=request.user, incident_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _people(request: AuthedRequest) -> Any:
    return Person.objects.filter(organization=request.user.organization).exclude(
        status=Person.Status.CANDIDATE).select_related("department")
