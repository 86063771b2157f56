"""Organization-level events (report submitted, policy published, ...) for subscribers such
as outbound webhooks. Domain apps emit; integrations register handlers."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import transaction

if TYPE_CHECKING:
    from chorus.people.models import Organization

# The event types Chorus emits, with what each means (shown to admins who subscribe).
EVENT_TYPES: dict[str, str] = {
    "report.submitted": "A report was submitted",
    "incident.decided": "An incident was decided",
    "policy.published": "A policy version was published",
    "attestation.completed": "A person attested to a policy",
    "content.approved": "Advocacy content was approved",
    "person.offboarded": "A person was offboarded",
}

Handler = Callable[["Organization", str, dict[str, Any]], None]
_HANDLERS: list[Handler] = []


def register_event_handler(handler: Handler) -> None:
    if handler not in _HANDLERS:
        _HANDLERS.append(handler)


def emit_event(*, organization: Organization, type: str, data: dict[str, Any]) -> None:
    """Hand the event to every handler after the surrounding transaction commits (a rolled
    back change emits nothing). `data` must be JSON-serializable and hold ids and neutral
    facts only: never report text, reporter identity or post content."""
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {type!r}; add it to EVENT_TYPES.")
    for handler in list(_HANDLERS):
        transaction.on_commit(partial(handler, organization, type, dict(data)))
