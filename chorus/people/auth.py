"""How django-axes names the account a login attempt is for (see `AXES_USERNAME_CALLABLE`)."""

from __future__ import annotations

from typing import Any


def login_username(request: Any, credentials: dict[str, Any] | None = None) -> str | None:
    """The e-mail a login attempt names, trimmed and lower-cased, so that `Ann@X.example` and
    `ann@x.example` are one account for lockouts (addresses are stored lower-case).

    The login forms (ours and the Django admin's) post the e-mail as `username`; axes also
    calls this with `credentials` built from `AXES_USERNAME_FORM_FIELD` (`username`).
    None when the attempt names no account.
    """
    raw = (credentials or {}).get("username")
    if raw is None:
        data = getattr(request, "POST", None)
        raw = data.get("username") if data is not None else None
    if not isinstance(raw, str) or not raw.strip():
        return None
    return raw.strip().lower()
