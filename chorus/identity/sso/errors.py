"""The error every single sign-on step raises when the sign-in cannot go on."""

from __future__ import annotations

from chorus.common.errors import DomainError


class SsoError(DomainError):
    """A sign-in that cannot complete. The message is shown on the failure page as is: it
    says what went wrong and what to do, and never includes tokens or assertions."""

    status_code = 400
