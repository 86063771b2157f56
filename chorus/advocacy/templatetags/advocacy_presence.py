"""`{% official_accounts as accounts %}`: the organization's active official accounts, for the
"Follow us" box on the feed and on onboarding pages (no view needs to change to show it)."""

from __future__ import annotations

from typing import Any

from django import template

from chorus.advocacy.models import OfficialAccount
from chorus.advocacy.presence import PRESENCE_NETWORKS

register = template.Library()


@register.simple_tag(takes_context=True)
def official_accounts(context: Any) -> list[dict[str, Any]]:
    request = context.get("request")
    user = getattr(request, "user", None)
    org_id = getattr(user, "organization_id", None)
    if not org_id:
        return []
    return [
        {"account": a, "label": PRESENCE_NETWORKS[a.network].label
         if a.network in PRESENCE_NETWORKS else a.network}
        for a in OfficialAccount.objects.filter(organization_id=org_id, is_active=True)
    ]
