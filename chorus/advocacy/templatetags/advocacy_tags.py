from __future__ import annotations

import json
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder

register = template.Library()


@register.filter
def as_json(value: Any) -> str:
    """JSON for a `data-*` attribute. Deliberately not marked safe: autoescaping turns the
    quotes into entities, which the browser decodes back before `JSON.parse` sees them."""
    return json.dumps(value, cls=DjangoJSONEncoder)
