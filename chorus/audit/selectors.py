from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from chorus.audit.models import AuditEntry, AuditPseudonym


def audit_entry_list_for(*, user, action_prefix: str = "") -> QuerySet[AuditEntry]:  # type: ignore[no-untyped-def]
    """The user's organization's trail, newest first."""
    entries = AuditEntry.objects.filter(organization_id=user.organization_id).order_by("-seq")
    if action_prefix:
        entries = entries.filter(action__startswith=action_prefix)
    return entries


def audit_entries_masked(
    *, organization_id: int, entries: Iterable[AuditEntry]
) -> list[AuditEntry]:
    """The entries with `display_actor` and `display_target` set: the stored labels, or the
    pseudonym of an erased person (`AuditPseudonym`), so no page shows an erased name."""
    entries = list(entries)
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
    return entries
