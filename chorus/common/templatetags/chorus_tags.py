from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def has_role(user: Any, role: str) -> bool:
    """`{% if user|has_role:"hr" %}`: true for admins too."""
    return bool(user and user.is_authenticated and user.has_role(role))
