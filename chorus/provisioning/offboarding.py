"""Offboarding step of verified affiliation (see chorus.provisioning.registry)."""

from __future__ import annotations

from typing import Any

# Early: the handle must stop answering before anything else happens.
OFFBOARD_ORDER = 10


def offboard_person(person: Any, *, actor: Any, reason: str) -> list[Any]:
    from chorus.provisioning.models import VerifiedHandle
    from chorus.provisioning.registry import Step
    from chorus.provisioning.services.affiliation import affiliations_revoke_for_leaver

    revoked = affiliations_revoke_for_leaver(person=person, actor=actor)
    title = "Verified affiliation"
    if not VerifiedHandle.objects.filter(person=person).exists():
        return [Step("provisioning.affiliation_revoked", title,
                     "You had no verified handle or profile page.")]
    return [Step("provisioning.affiliation_revoked", title,
                 "Your verified handle and profile page no longer confirm that you work here; "
                 "Bluesky and Mastodon stop showing the verification when they next check. "
                 "Your accounts themselves are yours and are not touched.", count=revoked)]
