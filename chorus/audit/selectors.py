from __future__ import annotations

from django.db.models import QuerySet

from chorus.audit.models import AuditEntry


def audit_entry_list_for(*, user, action_prefix: str = "") -> QuerySet[AuditEntry]:  # type: ignore[no-untyped-def]
    """The user's organization's trail, newest first."""
    entries = AuditEntry.objects.filter(organization_id=user.organization_id).order_by("-seq")
    if action_prefix:
        entries = entries.filter(action__startswith=action_prefix)
    return entries
