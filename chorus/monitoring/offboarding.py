"""Offboarding step of monitoring (see chorus.provisioning.registry): consent for reading
linked accounts ends, so nothing is polled or streamed any more."""

from __future__ import annotations

from typing import Any


def offboard_person(person: Any, *, actor: Any, reason: str) -> list[Any]:
    from chorus.monitoring.models import LinkedAccount
    from chorus.monitoring.services import accounts_end_for_leaver
    from chorus.provisioning.registry import Step

    ended = accounts_end_for_leaver(person=person,
                                    actor=actor if hasattr(actor, "pk") else None)
    title = "Your linked social accounts"
    if not LinkedAccount.objects.filter(person=person).exists():
        return [Step("monitoring.consent_ended", title,
                     "You had linked no social accounts; nothing was ever read.")]
    return [Step("monitoring.consent_ended", title,
                 "Your consent ended and Chorus stopped reading your linked accounts. Posts "
                 "it had stored are deleted after the retention period; the record that you "
                 "gave and ended consent is kept, as the law requires.", count=ended)]
