from __future__ import annotations

from django.core.exceptions import PermissionDenied

from chorus.common.types import AuthedRequest
from chorus.people.roles import Role


def _admin_only(request: AuthedRequest) -> None:
    """Pages of Admin are for the organization's administrator role (not Django staff)."""
    if request.user.organization_id is None or not request.user.has_role(Role.ADMIN):
        raise PermissionDenied("Only your organization's administrators can open this page.")
