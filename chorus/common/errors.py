"""Domain errors. Services raise these; `config/api.py` maps them to HTTP in one place and
views show their message in the form. Each app subclasses the one that fits."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the operation. The message is shown to the user as is,
    so it says what is wrong and what to do. `field` names the input at fault, if any."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The object does not exist or belongs to another organization (never tell which)."""

    status_code = 404


class PermissionDenied(DomainError):
    status_code = 403


class Conflict(DomainError):
    """The object changed since the caller read it (optimistic locking) or the state forbids it."""

    status_code = 409


class InvalidInput(DomainError):
    status_code = 422


class StorageFull(DomainError):
    """The upload storage ran out of space (or quota) while saving a file. Nothing was kept:
    no partial file, and the service's transaction rolls its rows back."""

    status_code = 507
