"""Exporting and erasing what Chorus holds about one person. Both are audited.

`person_export` asks every app's `export_person_data` (chorus.privacy.registry) and returns
the sections in INSTALLED_APPS order; `person_erase` runs every app's `erase_person_data` in one
transaction, so an erasure is either complete or did not happen, and stores a receipt.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from chorus.audit.services import audit_record
from chorus.common.errors import InvalidInput, PermissionDenied
from chorus.people.models import Person, User
from chorus.privacy.models import ErasureRecord
from chorus.privacy.registry import Section, contributors, export_contributors
from chorus.privacy.selectors import can_handle_requests


@dataclass(frozen=True)
class PersonExport:
    person_id: int
    generated_at: datetime
    organization: str
    apps: list[tuple[str, list[Section]]]  # (app name, its sections)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (GDPR Art. 20: structured, commonly used, machine-readable)."""
        return {
            "format": "chorus-person-export",
            "format_version": 1,
            "generated_at": self.generated_at.isoformat(),
            "organization": self.organization,
            "person_id": self.person_id,
            "data": [
                {"app": app, "sections": [_json(asdict(s)) for s in sections]}
                for app, sections in self.apps
            ],
        }


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _may_export(actor: User, person: Person) -> bool:
    if person.organization_id != actor.organization_id:
        return False
    return person.user_id == actor.pk or can_handle_requests(actor)


def person_export(*, actor: User, person: Person, fmt: str) -> PersonExport:
    """Everything each app holds about `person`. The person themself or HR/an administrator
    may ask; every export is audited (who, for whom, which format, self-service or not)."""
    if not _may_export(actor, person):
        raise PermissionDenied(
            gettext("You may export only your own data (HR exports on request).")
        )
    if fmt not in {"json", "html"}:
        raise InvalidInput(gettext("Choose the json or html format."), field="format")
    apps_data = []
    for contributor in export_contributors():
        if contributor.export is not None:
            sections = contributor.export(person)
            if sections:
                apps_data.append((contributor.app_name, sections))
    audit_record(
        organization=person.organization,
        actor=actor,
        action="privacy.person_exported",
        target=person,
        data={"format": fmt, "self_service": person.user_id == actor.pk},
    )
    return PersonExport(
        person_id=person.pk,
        generated_at=timezone.now(),
        organization=person.organization.name,
        apps=apps_data,
    )


def _is_last_admin(user: User) -> bool:
    from chorus.people.roles import Role

    if not user.is_active or Role.ADMIN not in user.role_names:
        return False
    others = User.objects.filter(
        organization_id=user.org_id, is_active=True, groups__name=Role.ADMIN
    ).exclude(pk=user.pk)
    return not others.exists()


@transaction.atomic
def person_erase(*, actor: User, person: Person, confirm_name: str, reason: str) -> ErasureRecord:
    """Erase or pseudonymize what may go, keep (with the legal reason) what must stay.

    HR or an administrator of the person's organization only, never for themself, with the
    person's current full name typed as confirmation and the request's reason. Runs every
    app's `erase_person_data` in one transaction; the audit entry and the receipt are written
    after the pseudonymization, so neither carries the erased name."""
    if not can_handle_requests(actor) or person.organization_id != actor.organization_id:
        raise PermissionDenied(gettext("Only HR or an administrator erases a person's data."))
    if person.user_id == actor.pk:
        raise PermissionDenied(
            gettext("You cannot erase your own data; ask another HR person or an administrator.")
        )
    if person.user is not None and _is_last_admin(person.user):
        raise InvalidInput(
            gettext(
                "This is the organization's only active administrator: erasing the account would "
                "lock everyone out of administration. Make someone else an administrator first."
            ),
            field="confirm_name",
        )
    if ErasureRecord.objects.filter(person=person).exists():
        raise InvalidInput(gettext("This person's data was already erased."), field="confirm_name")
    if confirm_name.strip() != person.full_name:
        raise InvalidInput(
            gettext("Type the person's full name exactly (%(full_name)s) to confirm.")
            % {"full_name": person.full_name},
            field="confirm_name",
        )
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            gettext("Say which request this is (e.g. 'Art. 17 request of 3 May'); do not "
            "write the person's name."),
            field="reason",
        )
    if person.full_name.lower() in reason.lower() or person.email.lower() in reason.lower():
        raise InvalidInput(
            gettext("Leave the person's name and e-mail out of the reason: the receipt "
            "must not carry what is erased."),
            field="reason",
        )
    person = Person.objects.select_for_update().get(pk=person.pk)
    outcome: list[dict[str, Any]] = []
    for contributor in contributors():
        if contributor.erase is None:
            continue
        result = contributor.erase(person)
        outcome.append(
            {
                "app": contributor.app_name,
                "erased": [list(e) for e in result.erased],
                "pseudonymized": [list(p) for p in result.pseudonymized],
                "kept": [asdict(k) for k in result.kept],
                "notes": result.notes,
            }
        )
        person.refresh_from_db()
    record = ErasureRecord.objects.create(
        organization_id=person.organization_id,
        person=person,
        requested_by=actor,
        reason=reason[:300],
        outcome=outcome,
    )
    audit_record(
        organization=person.organization,
        actor=actor,
        action="privacy.person_erased",
        target=person,
        data={
            "erasure_id": record.pk,
            "reason": reason[:300],
            "erased": sum(n for app in outcome for _, n in app["erased"]),
            "pseudonymized": sum(n for app in outcome for _, n in app["pseudonymized"]),
            "kept": [k["what"] for app in outcome for k in app["kept"]],
        },
    )
    return record
