from __future__ import annotations

import datetime
import re
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from chorus.audit.models import AuditEntry


def audit_entry_list_for(
    *,
    user: Any,
    action_prefix: str = "",
    actor: str = "",
    obj: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[AuditEntry]:
    """The user's organization's trail, newest first, narrowed by the given filters.

    `actor` is an exact actor label (an e-mail, "system", "anonymous reporter"); `obj` matches
    an object's label as a whole word ("INC-3" finds INC-3, not INC-30) or "type:id"
    ("incidents.incident:3"); `since`/`until` are inclusive days in the viewer's time zone.
    """
    entries = AuditEntry.objects.filter(organization_id=user.organization_id).order_by("-seq")
    if action_prefix:
        entries = entries.filter(action__startswith=action_prefix)
    if actor:
        entries = entries.filter(actor_label=actor)
    obj = obj.strip()
    if obj:
        kind, sep, pk = obj.rpartition(":")
        if sep and "." in kind and pk:
            entries = entries.filter(target_type=kind.lower(), target_id=pk)
        else:
            word = "[^0-9A-Za-z]"
            entries = entries.filter(target_label__iregex=f"(^|{word}){re.escape(obj)}({word}|$)")
    zone = timezone.get_current_timezone()
    if since:
        start = datetime.datetime.combine(since, datetime.time.min, tzinfo=zone)
        entries = entries.filter(created_at__gte=start)
    if until:
        end = datetime.datetime.combine(
            until + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
        entries = entries.filter(created_at__lt=end)
    return entries


def audit_actor_labels(*, user: Any) -> list[str]:
    """Every actor label in the user's organization's trail, for the "Who" filter."""
    labels = (
        AuditEntry.objects.filter(organization_id=user.organization_id)
        .order_by("actor_label")
        .values_list("actor_label", flat=True)
        .distinct()
    )
    return [label for label in labels if label]
