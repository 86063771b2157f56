from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """`{{ previews|lookup:f.key }}`: a dict value by a computed key ("" when missing)."""
    return mapping.get(key, "") if isinstance(mapping, dict) else ""
