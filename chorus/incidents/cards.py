"""Dashboard cards: HR's queue and the employee's own incidents awaiting their response."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from chorus.incidents.models import Incident


def hr_card(user: Any) -> dict[str, Any] | None:
    counts = Incident.objects.filter(organization_id=user.organization_id).aggregate(
        open=Count("pk", filter=Q(status__in=[Incident.Status.OPEN, Incident.Status.IN_REVIEW])),
        decided=Count("pk", filter=Q(status=Incident.Status.DECIDED)),
        deviated=Count("pk", filter=Q(deviated=True)),
    )
    return counts


def my_incidents_card(user: Any) -> dict[str, Any] | None:
    """Shown only to someone with an incident they were told about and can still answer."""
    waiting = list(
        Incident.objects.filter(organization_id=user.organization_id, subject__user=user,
                                notified_at__isnull=False, responded_at__isnull=True,
                                status=Incident.Status.IN_REVIEW)
        .order_by("response_due_at")[:3]
    )
    if not waiting:
        return None
    return {"incidents": waiting}
