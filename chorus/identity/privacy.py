"""Data rights of the identity app (see chorus.privacy.registry): each part contributes."""

from __future__ import annotations

from typing import Any

from chorus.identity.mfa import privacy as mfa_privacy


def export_person_data(person: Any) -> list[Any]:
    return [*mfa_privacy.export_person_data(person)]


def erase_person_data(person: Any) -> Any:
    return mfa_privacy.erase_person_data(person)
