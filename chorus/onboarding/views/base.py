"""What the onboarding pages share: the HR-only check."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

from chorus.common.types import AuthedRequest
from chorus.onboarding import selectors


def _hr_only(request: AuthedRequest) -> None:
    if not selectors.is_hr(request.user):
        raise DjangoPermissionDenied
