"""What every advocacy write shares: limits and the editor check."""

from __future__ import annotations

import string

from django.utils.translation import gettext

from chorus.common.errors import PermissionDenied
from chorus.people.models import User
from chorus.people.roles import Role

MAX_TAGS = 10
MAX_CAPTIONS = 20
CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 8  # 62^8 ≈ 2e14: unguessable enough that links cannot be enumerated


def is_editor(user: User) -> bool:
    """Communications staff (and administrators) manage content, guidance and settings."""
    return user.has_role(Role.COMMUNICATIONS)


def _require_editor(user: User) -> None:
    if not is_editor(user):
        raise PermissionDenied(gettext("Only communications staff can manage advocacy content."))
