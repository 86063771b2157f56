"""Dashboard cards: the signed-in person's own status, and completion for HR and managers."""

from __future__ import annotations

from typing import Any

from chorus.onboarding.selectors import (
    assignment_list_for,
    completion_overall,
    my_status,
    overdue_for,
)


def my_status_card(user: Any) -> dict[str, Any] | None:
    status = my_status(user=user)
    if status.person is None:
        return None
    return {"status": status, "latest": status.attestations[0] if status.attestations else None}


def completion_card(user: Any) -> dict[str, Any] | None:
    assignments = assignment_list_for(user=user)
    overall = completion_overall(assignments)
    return {"overall": overall, "overdue": overdue_for(user=user).count(),
            "team_only": not (user.has_role("hr") or user.has_role("admin"))}
