"""Data rights for the HR record and the account (see chorus.privacy.registry).

Erasure pseudonymizes rather than deletes the `Person` and `User` rows: other apps keep
records that must stay (attestations, incidents on hold, consent records) and point at them.
The pseudonym carries no trace of the identity; the account can no longer log in.
"""

from __future__ import annotations

from typing import Any

ERASE_ORDER = 1000  # last: the other apps find rows through the identity first
EXPORT_ORDER = 0  # first: who this export is about

PERSON_KEPT_REASON = (
    "The record itself stays as a pseudonym (no name, e-mail, title, location or HR id) because "
    "records other apps must keep refer to it."
)


def export_person_data(person: Any) -> list[Any]:
    from chorus.privacy.registry import Section

    sections = [
        Section(
            "Your HR record",
            [
                {
                    "name": person.full_name,
                    "e-mail": person.email,
                    "department": person.department.name if person.department else "",
                    "manager": person.manager.full_name if person.manager else "",
                    "title": person.title,
                    "location": person.location,
                    "start date": person.start_date,
                    "status": person.get_status_display(),
                    "HR system id": person.external_id,
                    "advocacy paused": person.advocacy_paused_at,
                    "advocacy paused because": person.advocacy_paused_reason,
                    "created": person.created_at,
                    "updated": person.updated_at,
                }
            ],
        ),
    ]
    user = person.user
    if user is not None:
        sections.append(
            Section(
                "Your account",
                [
                    {
                        "e-mail": user.email,
                        "name": user.full_name,
                        "active": user.is_active,
                        "roles": ", ".join(sorted(user.role_names)),
                        "joined": user.date_joined,
                        "last login": user.last_login,
                    }
                ],
            )
        )
        sections.append(
            Section(
                "Your API tokens",
                [
                    {
                        "name": t.name,
                        "starts with": t.prefix,
                        "created": t.created_at,
                        "last used": t.last_used_at,
                        "revoked": t.revoked_at,
                    }
                    for t in user.api_tokens.order_by("created_at")
                ],
                note="Only a fingerprint of each token is stored; the secret itself never is.",
            )
        )
    return sections


def erase_person_data(person: Any) -> Any:
    from django.contrib.auth.models import Group

    from chorus.privacy.registry import Erasure

    outcome = Erasure()
    user = person.user
    if user is not None:
        try:
            from axes.models import AccessAttempt, AccessFailureLog, AccessLog

            for model in (AccessAttempt, AccessLog, AccessFailureLog):
                deleted, _ = model.objects.filter(username__iexact=user.email).delete()
                outcome.erase("login attempt records", deleted)
        except ImportError:  # axes not installed
            pass
        deleted, _ = user.api_tokens.all().delete()
        outcome.erase("API tokens", deleted)
        user.email = f"erased-user-{user.pk}@erased.invalid"
        user.full_name = f"Erased person #{person.pk}"
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.last_login = None
        user.set_unusable_password()
        user.save()
        user.groups.remove(*Group.objects.all())
        outcome.pseudonymize("account (cannot log in any more; roles removed)", 1)
    person.full_name = f"Erased person #{person.pk}"
    person.email = f"erased-{person.pk}@erased.invalid"
    person.title = person.location = person.external_id = person.advocacy_paused_reason = ""
    person.start_date = None
    person.manager = None
    person.save(
        update_fields=[
            "full_name",
            "email",
            "title",
            "location",
            "external_id",
            "advocacy_paused_reason",
            "start_date",
            "manager",
            "updated_at",
        ]
    )
    outcome.pseudonymize("HR record", 1)
    outcome.keep("HR record (as a pseudonym)", 1, PERSON_KEPT_REASON)
    return outcome
