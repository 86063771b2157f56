"""Writes for the organization's official accounts (communications only, audited)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from chorus.advocacy.models import OfficialAccount
from chorus.advocacy.presence import (
    PRESENCE_NETWORKS,
    ProfileUrlError,
    check_handle,
    check_profile_url,
)
from chorus.advocacy.services.base import _require_editor
from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput, NotFound
from chorus.people.models import User


def official_account_save(
    *, actor: User, network: str, handle: str, url: str, label: str = "", position: int = 0,
    is_active: bool = True, account: OfficialAccount | None = None,
) -> OfficialAccount:
    """Add or edit one of the organization's official accounts."""
    _require_editor(actor)
    if network not in PRESENCE_NETWORKS:
        raise InvalidInput(gettext("Choose one of the listed networks."), field="network")
    try:
        clean_url = check_profile_url(network, url)
    except ProfileUrlError as exc:
        raise InvalidInput(str(exc), field="url") from None
    try:
        clean_handle = check_handle(handle)
    except ProfileUrlError as exc:
        raise InvalidInput(str(exc), field="handle") from None
    if account is None:
        account = OfficialAccount(organization=actor.organization)
    elif account.organization_id != actor.organization_id:
        raise NotFound(gettext("No such official account."))
    account.network, account.handle, account.url = network, clean_handle, clean_url
    account.label, account.position = label.strip()[:120], max(0, position)
    account.is_active = is_active
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise Conflict(gettext("This profile is already in the directory."), field="url") from None
    audit_record(organization=actor.organization, actor=actor,
                 action="advocacy.official_account_saved", target=account,
                 data={"network": network, "active": is_active})
    return account


def official_account_delete(*, actor: User, account: OfficialAccount) -> None:
    _require_editor(actor)
    if account.organization_id != actor.organization_id:
        raise NotFound(gettext("No such official account."))
    audit_record(organization=actor.organization, actor=actor,
                 action="advocacy.official_account_deleted", target=account,
                 data={"network": account.network, "handle": account.handle})
    account.delete()
