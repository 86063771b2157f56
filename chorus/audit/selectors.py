from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from chorus.audit.models import AuditEntry, AuditPseudonym


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
    """Every actor label in the user's organization's trail, for the "Who" filter; the
    labels of people erased under data rights (`AuditPseudonym`) are left out."""
    erased_user_ids = AuditPseudonym.objects.filter(
        organization_id=user.organization_id, target_type="people.user"
    ).values_list("target_id", flat=True)
    labels = (
        AuditEntry.objects.filter(organization_id=user.organization_id)
        .exclude(actor_id__in=[int(pk) for pk in erased_user_ids if pk.isdigit()])
        .order_by("actor_label")
        .values_list("actor_label", flat=True)
        .distinct()
    )
    return [label for label in labels if label]


def audit_entries_masked_iter(
    *, organization_id: int, entries: Iterable[AuditEntry]
) -> Iterator[AuditEntry]:
    """Each entry with `display_actor` and `display_target` set: the stored labels, or the
    pseudonym of an erased person (`AuditPseudonym`), so no page or export shows an erased
    name. Lazy, so a streamed export stays in constant memory."""
    pseudonyms = {
        (p.target_type, p.target_id): p.label
        for p in AuditPseudonym.objects.filter(organization_id=organization_id)
    }
    for entry in entries:
        entry.display_actor = pseudonyms.get(  # type: ignore[attr-defined]
            ("people.user", str(entry.actor_id)), entry.actor_label
        )
        entry.display_target = pseudonyms.get(  # type: ignore[attr-defined]
            (entry.target_type, entry.target_id), entry.target_label
        )
        yield entry


def audit_entries_masked(
    *, organization_id: int, entries: Iterable[AuditEntry]
) -> list[AuditEntry]:
    """`audit_entries_masked_iter` as a list, for a page of the trail."""
    return list(audit_entries_masked_iter(organization_id=organization_id, entries=entries))
