"""Encryption at rest for identity-provider secrets (the OIDC client secret).

The key is derived from `SECRET_KEY` (Fernet: AES-128-CBC with HMAC-SHA256), so a copy of the
database alone does not reveal the secret. Rotating `SECRET_KEY` makes stored secrets
unreadable: the settings page then asks the administrator to enter the client secret again.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

_CONTEXT = b"chorus.identity.sso.client-secret.v1:"


def _fernet() -> Fernet:
    digest = hashlib.sha256(_CONTEXT + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str | None:
    """The plaintext, or None when the secret was encrypted under another SECRET_KEY."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None
