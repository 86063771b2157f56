"""Data rights for provisioning (see chorus.privacy.registry): the identity provider's record
of the person, verified handles and the offboarding summary."""

from __future__ import annotations

from typing import Any

OFFBOARDING_REASON = (
    "The record that the person's access was removed and what each part of Chorus did: the "
    "organization must be able to show that access ended; it holds no post or report text."
)


def export_person_data(person: Any) -> list[Any]:
    from chorus.privacy.registry import Section
    from chorus.provisioning.models import Offboarding, ScimUser, VerifiedHandle

    scim = ScimUser.objects.filter(person=person).first()
    sections = [
        Section("Your record from the identity provider (SCIM)", [
            {"id": str(scim.scim_id), "user name": scim.user_name,
             "external id": scim.external_id, "active": scim.active,
             "groups": ", ".join(scim.groups.values_list("display_name", flat=True)),
             "as sent": scim.document}
        ] if scim else []),
        Section("Your verified affiliation", [
            {"handle": h.handle, "DID": h.did, "profile page": f"/people/{h.profile_slug}/",
             "issued": h.created_at, "revoked": h.revoked_at, "why revoked": h.revoked_reason}
            for h in VerifiedHandle.objects.filter(person=person).order_by("created_at")
        ]),
    ]
    record = Offboarding.objects.filter(person=person).first()
    if record is not None:
        sections.append(Section("Your offboarding", [
            {"step": s["title"], "what happened": s["summary"]} for s in record.steps
        ], note=f"Left on {record.offboarded_at:%Y-%m-%d} ({record.get_source_display()})."))
    return sections


def erase_person_data(person: Any) -> Any:
    from chorus.privacy.registry import Erasure
    from chorus.provisioning.models import Offboarding, ScimUser, VerifiedHandle

    outcome = Erasure()
    deleted, _ = ScimUser.objects.filter(person=person).delete()
    outcome.erase("identity provider record (SCIM) and group memberships", deleted)
    deleted, _ = VerifiedHandle.objects.filter(person=person).delete()
    outcome.erase("verified handles and profile pages", deleted)
    outcome.keep("offboarding record", Offboarding.objects.filter(person=person).count(),
                 OFFBOARDING_REASON)
    return outcome
