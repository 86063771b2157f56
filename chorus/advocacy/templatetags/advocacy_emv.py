"""`{% item_emv item as emv %}`: one item's earned media value over the last 365 days, for the
item's hub page (the view stays as it is)."""

from __future__ import annotations

from typing import Any

from django import template

from chorus.advocacy.analytics import period_ending_today
from chorus.advocacy.emv import EmvReport, emv_for

register = template.Library()


@register.simple_tag
def item_emv(item: Any) -> EmvReport:
    return emv_for(organization=item.organization, period=period_ending_today(365), item=item)
