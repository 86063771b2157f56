"""Data rights of the identity app (see chorus.privacy.registry): each part contributes."""

from __future__ import annotations

from typing import Any

from chorus.identity.mfa import privacy as mfa_privacy
from chorus.identity.sso import privacy as sso_privacy

PARTS = [sso_privacy, mfa_privacy]


def export_person_data(person: Any) -> list[Any]:
    return [section for part in PARTS for section in part.export_person_data(person)]


def erase_person_data(person: Any) -> Any:
    from chorus.privacy.registry import Erasure

    outcome = Erasure()
    for part in PARTS:
        done = part.erase_person_data(person)
        outcome.erased += done.erased
        outcome.pseudonymized += done.pseudonymized
        outcome.kept += done.kept
        outcome.notes += done.notes
    return outcome
