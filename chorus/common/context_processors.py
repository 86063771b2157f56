from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from chorus.common.navigation import nav_for


def chorus(request: HttpRequest) -> dict[str, Any]:
    """Navigation and organization for the base template."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": {"main": [], "you": [], "manage": []}}
    return {
        "nav_items": nav_for(user, request.path),
        "current_org": getattr(user, "organization", None),
    }
