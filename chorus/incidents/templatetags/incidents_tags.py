from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    """`{{ labels|get_item:value }}`: a dict lookup by a variable key."""
    return mapping.get(key, key) if mapping else key
