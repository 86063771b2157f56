"""Data rights for second factors (see chorus.privacy.registry).

The export lists a person's factors by name, kind and dates, never a secret (seeds, recovery
code digests and public keys are security material, not information about the person).
Erasure deletes the factors, recovery codes, grace-period state and reset requests about
them; resets they decided for others stay (those are the other person's security record,
and the audit trail keeps who did what anyway).
"""

from __future__ import annotations

from typing import Any

from chorus.identity.mfa.models import Authenticator, FactorResetRequest, MfaUserState, RecoveryCode


def export_person_data(person: Any) -> list[Any]:
    from chorus.privacy.registry import Section

    if not person.user_id:
        return []
    factors = [
        {
            "name": a.name,
            "type": a.get_kind_display(),
            "added": a.created_at,
            "last used": a.last_used_at or "never",
        }
        for a in Authenticator.objects.filter(user_id=person.user_id, confirmed_at__isnull=False)
    ]
    resets = [
        {
            "requested": r.created_at,
            "by": str(r.requested_by),
            "reason": r.reason,
            "status": r.get_status_display(),
        }
        for r in FactorResetRequest.objects.filter(subject_id=person.user_id).select_related(
            "requested_by"
        )
    ]
    left = RecoveryCode.objects.filter(user_id=person.user_id, used_at__isnull=True).count()
    return [
        Section(
            "Second factors",
            factors,
            note=f"{left} unused recovery codes. Secrets (authenticator keys, recovery codes, "
            "passkey public keys) are not exported: Chorus keeps them only in a form that "
            "cannot be turned back into the secret, or encrypted.",
        ),
        Section("Resets of your second factor", resets),
    ]


def erase_person_data(person: Any) -> Any:
    from chorus.privacy.registry import Erasure

    outcome = Erasure()
    if not person.user_id:
        return outcome
    user_id = person.user_id
    outcome.erase("second factors", Authenticator.objects.filter(user_id=user_id).delete()[0])
    outcome.erase("recovery codes", RecoveryCode.objects.filter(user_id=user_id).delete()[0])
    MfaUserState.objects.filter(user_id=user_id).delete()
    outcome.erase(
        "second-factor reset requests about the person",
        FactorResetRequest.objects.filter(subject_id=user_id).delete()[0],
    )
    return outcome
