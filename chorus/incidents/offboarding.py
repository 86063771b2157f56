"""Offboarding step of incidents (see chorus.provisioning.registry): open incidents about the
person stay open with their timeline; closed ones follow the response matrix's retention or
legal hold. Nothing is deleted because someone left."""

from __future__ import annotations

from typing import Any


def offboard_person(person: Any, *, actor: Any, reason: str) -> list[Any]:
    from chorus.incidents.models import Incident
    from chorus.provisioning.registry import Step

    open_about = Incident.objects.filter(subject=person).exclude(
        status=Incident.Status.CLOSED).count()
    if not open_about:
        summary = "There is no open incident about you."
    else:
        summary = (f"{open_about} open incident{'s' if open_about != 1 else ''} about you "
                   f"{'stay' if open_about != 1 else 'stays'} open with the people handling "
                   "it; leaving does not delete it. It is kept under the organization's "
                   "retention rules (or a legal hold), and you keep your right to respond.")
    return [Step("incidents.kept", "Incidents", summary)]
