"""Encryption of TOTP seeds at rest, with a key derived from SECRET_KEY.

A database dump alone does not reveal the seeds. Keys listed in SECRET_KEY_FALLBACKS still
decrypt, so SECRET_KEY can be rotated the way Django documents it (move the old key to the
fallbacks, and the seeds stay readable until every person has re-enrolled).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

_CONTEXT = b"chorus.identity.mfa.totp-seed:"


def _fernet(secret: str) -> Fernet:
    digest = hashlib.sha256(_CONTEXT + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(s) for s in secrets])


def encrypt_secret(secret: str) -> str:
    return _keys().encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    """The seed; ValueError when no configured key opens it (SECRET_KEY changed without a
    fallback): the person must then re-enroll, and an administrator can reset the factor."""
    try:
        return _keys().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError(
            "This authenticator's secret cannot be decrypted with SECRET_KEY."
        ) from None
