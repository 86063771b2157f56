"""Secrets at rest (Slack bot tokens, webhook signing secrets, Workflows URLs): Fernet.

The key comes from `INTEGRATIONS_ENCRYPTION_KEYS` (Fernet keys, comma separated; the first
encrypts, every one decrypts, so a key can be rotated) or, when unset, is derived from
`SECRET_KEY` with HKDF. A database dump alone therefore never yields a usable token.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored secret was encrypted with a key that is no longer configured."""


def _derived_key() -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"chorus.integrations",
                info=b"fernet key for stored integration secrets")
    return base64.urlsafe_b64encode(hkdf.derive(settings.SECRET_KEY.encode()))


def _fernet() -> MultiFernet:
    keys = [k.strip() for k in getattr(settings, "INTEGRATIONS_ENCRYPTION_KEYS", []) if k.strip()]
    return MultiFernet([Fernet(k) for k in keys] or [Fernet(_derived_key())])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            "A stored integration secret cannot be decrypted with the configured keys "
            "(INTEGRATIONS_ENCRYPTION_KEYS or SECRET_KEY changed). Reconnect the integration."
        ) from exc
