"""Keyword-only helpers for the second-factor tests."""

from __future__ import annotations

import time

import pyotp

from chorus.identity.mfa import services
from chorus.identity.mfa.models import Authenticator
from chorus.people.models import User


def enroll_totp(*, user: User, name: str = "Phone") -> tuple[Authenticator, str, list[str] | None]:
    """A confirmed authenticator app. It is confirmed with the previous 30-second code, so
    the current one is still unused for the test to type."""
    device, secret = services.totp_enroll_begin(user=user)
    previous = pyotp.TOTP(secret).at(time.time() - 30)
    device, codes = services.totp_enroll_confirm(
        user=user, authenticator_id=device.pk, code=previous, name=name
    )
    return device, secret, codes


def now_code(secret: str) -> str:
    return pyotp.TOTP(secret).now()
