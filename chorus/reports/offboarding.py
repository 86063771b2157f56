"""Offboarding step of reports (see chorus.provisioning.registry): nothing is deleted or
closed because someone left; open reports about them, or sent by them, stay with the team
that handles them and follow the usual retention rules."""

from __future__ import annotations

from typing import Any


def offboard_person(person: Any, *, actor: Any, reason: str) -> list[Any]:
    from chorus.provisioning.registry import Step
    from chorus.reports.models import Report

    undecided = [Report.Status.NEW, Report.Status.TRIAGING]
    about = Report.objects.filter(subject=person, status__in=undecided).count()
    sent = (Report.objects.filter(submissions__reporter_id=person.user_id,
                                  status__in=undecided).distinct().count()
            if person.user_id else 0)
    if not about and not sent:
        summary = "There are no open reports about you or sent by you."
    else:
        parts = []
        if sent:
            parts.append(f"{sent} open report{'s' if sent != 1 else ''} you sent")
        if about:
            parts.append(f"{about} open report{'s' if about != 1 else ''} about you")
        one = about + sent == 1
        summary = (f"{' and '.join(parts).capitalize()} {'stays' if one else 'stay'} open "
                   f"with the team handling {'it' if one else 'them'}; leaving does not "
                   f"delete or close {'it' if one else 'them'}. "
                   f"{'It is' if one else 'They are'} kept for the organization's usual "
                   "retention period, and you keep your right to ask for your data.")
    return [Step("reports.kept", "Reports", summary)]
