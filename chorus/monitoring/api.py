"""/api/v1/monitoring: the caller's linked accounts and alerts; account health for HR,
administrators and managers (never post content)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext
from ninja import Router, Schema, Status

from chorus.common.api import InputSchema
from chorus.common.errors import PermissionDenied
from chorus.common.types import AuthedRequest
from chorus.monitoring.consent import CONSENT_VERSION
from chorus.monitoring.selectors import (
    account_get_for_owner,
    account_health_for,
    account_list_for_owner,
    alert_get_for_owner,
    alert_list_for_owner,
)
from chorus.monitoring.services import (
    account_link,
    account_revoke,
    account_verify,
    alert_acknowledge,
    consent_text_for,
)

router = Router(tags=["monitoring"])


class AccountOut(Schema):
    id: int
    network: str
    handle: str
    status: str
    verification_code: str
    verified_at: datetime | None
    verification_method: str
    consented_at: datetime
    consent_version: str
    last_read_at: datetime | None
    last_error: str
    revoked_at: datetime | None
    purge_after: datetime | None


class HealthOut(Schema):
    id: int
    person: str
    network: str
    handle: str
    status: str
    last_read_at: datetime | None
    last_error: str


class ConsentOut(Schema):
    version: str
    text: str


class LinkIn(InputSchema):
    network: str
    handle: str
    agreed: bool
    consent_version: str
    instance: str = ""
    read_from: datetime | None = None


class FindingOut(Schema):
    category: str = ""
    severity: str = ""
    message: str = ""
    suggestion: str = ""
    excerpt: str = ""


class AlertOut(Schema):
    id: int
    created_at: datetime
    network: str
    severity: str
    categories: list[str]
    findings: list[FindingOut]
    post_url: str
    status: str
    resolution: str
    escalated: bool


def _alert(alert: Any) -> dict[str, Any]:
    return {
        "id": alert.pk, "created_at": alert.created_at, "network": alert.account.network,
        "severity": alert.severity, "categories": alert.categories, "findings": alert.findings,
        "post_url": alert.post_url, "status": alert.status, "resolution": alert.resolution,
        "escalated": alert.escalated_at is not None,
    }


@router.get("/accounts", response=list[AccountOut], summary="Your linked accounts")
def accounts(request: AuthedRequest) -> Any:
    return list(account_list_for_owner(user=request.auth))


@router.get("/consent", response=ConsentOut, summary="The consent text to show before linking")
def consent(request: AuthedRequest, network: str, handle: str = "") -> dict[str, str]:
    user = request.auth
    return {"version": CONSENT_VERSION,
            "text": consent_text_for(organization=user.org, network=network,
                                     handle=handle)}


@router.post("/accounts", response={201: AccountOut}, summary="Link an account with consent")
def link(request: AuthedRequest, payload: LinkIn) -> Any:
    account = account_link(
        user=request.auth, network=payload.network, handle=payload.handle,
        agreed=payload.agreed, consent_version=payload.consent_version,
        instance=payload.instance, read_from=payload.read_from,
    )
    return Status(201, account)


@router.post("/accounts/{account_id}/verify", response=AccountOut,
             summary="Prove ownership: look for the code in the profile or a recent post")
def verify(request: AuthedRequest, account_id: int) -> Any:
    user = request.auth
    return account_verify(user=user, account=account_get_for_owner(user=user,
                                                                   account_id=account_id))


@router.post("/accounts/{account_id}/revoke", response=AccountOut,
             summary="Withdraw consent: reading stops now")
def revoke(request: AuthedRequest, account_id: int) -> Any:
    user = request.auth
    return account_revoke(user=user, account=account_get_for_owner(user=user,
                                                                   account_id=account_id))


@router.get("/health", response=list[HealthOut],
            summary="Account health (HR, administrators; managers: their team)")
def health(request: AuthedRequest, status: str | None = None) -> Any:
    user = request.auth
    if not (user.has_role("hr") or user.has_role("admin") or user.has_role("manager")):
        raise PermissionDenied(gettext("Only HR, administrators and managers see account health."))
    return [
        {"id": a.pk, "person": a.person.full_name, "network": a.network, "handle": a.handle,
         "status": a.status, "last_read_at": a.last_read_at, "last_error": a.last_error}
        for a in account_health_for(user=user, status=status)[:1000]
    ]


@router.get("/alerts", response=list[AlertOut], summary="Your alerts (coaching notes)")
def alerts(request: AuthedRequest, status: str | None = None) -> Any:
    user = request.auth
    return [_alert(a) for a in alert_list_for_owner(user=user, status=status)[:200]]


@router.post("/alerts/{alert_id}/acknowledge", response=AlertOut, summary="Mark an alert read")
def acknowledge(request: AuthedRequest, alert_id: int) -> Any:
    user = request.auth
    alert = alert_acknowledge(user=user, alert=alert_get_for_owner(user=user, alert_id=alert_id))
    return _alert(alert)
