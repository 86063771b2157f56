"""The guard every onboarding write shares."""

from __future__ import annotations

from chorus.common.errors import PermissionDenied
from chorus.people.models import User
from chorus.people.roles import Role


def _require_hr(user: User, doing: str) -> None:
    if not (user.has_role(Role.HR) or user.has_role(Role.ADMIN)):
        raise PermissionDenied(f"Only HR and administrators can {doing}.")
