"""Outbound webhooks: subscriptions, signed deliveries, retries, the log, disabling.

Guarantees:

- Payloads follow the Standard Webhooks specification: body `{"type", "timestamp", "data"}`,
  headers `webhook-id` (the same on every retry), `webhook-timestamp` and `webhook-signature`
  (`v1,<base64 HMAC-SHA256>` with the endpoint's `whsec_` secret), signed by `standardwebhooks`.
- Every request goes through `chorus.common.http` (no loopback, private or link-local target
  unless allowed, a deadline, a body cap, no redirects followed).
- A failed attempt is retried with exponential backoff (`RETRY_SCHEDULE`, about a day in
  total); every attempt is logged with its request and response, truncated.
- After `WEBHOOK_DISABLE_AFTER_FAILURES` failed attempts in a row (or a 410 Gone answer) the
  endpoint is disabled and the organization's admins are notified.
"""

from __future__ import annotations

import base64
import datetime
import json
import secrets
import time
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from standardwebhooks.webhooks import Webhook
from ulid import ULID

from chorus.audit.services import audit_record
from chorus.common.api import MAX_INT
from chorus.common.errors import InvalidInput, NotFound, PermissionDenied
from chorus.common.http import OutboundError, check_url, fetch
from chorus.integrations.crypto import decrypt, encrypt
from chorus.integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from chorus.notifications.events import EVENT_TYPES
from chorus.people.roles import Role

if TYPE_CHECKING:
    from chorus.people.models import Organization, User

# Delay before each retry after a failed attempt: the Standard Webhooks / Svix schedule, so
# the last attempt comes about 28 hours after the event ("retries for a day").
RETRY_SCHEDULE = [
    datetime.timedelta(seconds=5),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=5),
    datetime.timedelta(hours=10),
    datetime.timedelta(hours=10),
]
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
LOG_BODY_CHARS = 2000  # of each request and response body kept in the log
RESPONSE_MAX_BYTES = 64 * 1024  # what we read of a receiver's answer at most
MAX_ENDPOINTS = 20
USER_AGENT = "Chorus-Webhooks/1"


def _require_admin(user: User) -> None:
    if not user.has_role(Role.ADMIN):
        raise PermissionDenied(gettext("Only your organization's administrators manage webhooks."))


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def endpoint_secret(endpoint: WebhookEndpoint) -> str:
    return decrypt(endpoint.secret_encrypted)


def _clean(*, url: str, event_types: list[str], description: str) -> tuple[str, list[str], str]:
    url = (url or "").strip()
    if not url:
        raise InvalidInput(gettext("Enter the URL that should receive the events."), field="url")
    if len(url) > 1000:
        raise InvalidInput(gettext("The URL is longer than 1,000 characters."), field="url")
    try:
        check_url(url)
    except OutboundError as exc:
        raise InvalidInput(
            gettext("%(message)s Enter the receiver's https:// URL.") % {"message": exc.message},
            field="url",
        )
    if not isinstance(event_types, list) or not event_types:
        raise InvalidInput(gettext("Choose at least one event type to send."), field="event_types")
    unknown = [t for t in event_types if t not in EVENT_TYPES]
    if unknown:
        raise InvalidInput(
            gettext("Unknown event type %(unknown)s. Choose from: %(join)s.")
            % {"unknown": repr(unknown[0]), "join": ", ".join(EVENT_TYPES)},
            field="event_types",
        )
    description = (description or "").strip()
    if len(description) > 200:
        raise InvalidInput(
            gettext("Keep the description under 200 characters."), field="description"
        )
    return url, sorted(set(event_types)), description


def endpoint_list_for(*, user: User) -> QuerySet[WebhookEndpoint]:
    _require_admin(user)
    return WebhookEndpoint.objects.filter(organization=user.org)


def endpoint_get(*, user: User, endpoint_id: int) -> WebhookEndpoint:
    """One endpoint of the admin's organization; another organization's id is a 404."""
    _require_admin(user)
    if not 0 < endpoint_id <= MAX_INT:
        raise NotFound(gettext("No such webhook endpoint."))
    endpoint = WebhookEndpoint.objects.filter(
        pk=endpoint_id, organization=user.org
    ).first()
    if endpoint is None:
        raise NotFound(gettext("No such webhook endpoint."))
    return endpoint


def delivery_get(*, user: User, delivery_id: int) -> WebhookDelivery:
    _require_admin(user)
    if not 0 < delivery_id <= MAX_INT:
        raise NotFound(gettext("No such webhook delivery."))
    delivery = (WebhookDelivery.objects.select_related("endpoint")
                .filter(pk=delivery_id, organization=user.org).first())
    if delivery is None:
        raise NotFound(gettext("No such webhook delivery."))
    return delivery


@transaction.atomic
def endpoint_create(
    *, actor: User, url: str, event_types: list[str], description: str = ""
) -> tuple[WebhookEndpoint, str]:
    """Subscribe a URL; returns the endpoint and its secret (shown to the admin once)."""
    _require_admin(actor)
    url, event_types, description = _clean(url=url, event_types=event_types,
                                           description=description)
    organization = actor.org
    if WebhookEndpoint.objects.filter(organization=organization).count() >= MAX_ENDPOINTS:
        raise InvalidInput(
            gettext(
                "An organization has at most %(MAX_ENDPOINTS)s webhook endpoints; remove one "
                "you no longer use."
            )
            % {"MAX_ENDPOINTS": MAX_ENDPOINTS},
            field="url",
        )
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        organization=organization, url=url, event_types=event_types, description=description,
        secret_encrypted=encrypt(secret), created_by=actor,
    )
    audit_record(organization=organization, actor=actor, action="integrations.webhook_created",
                 target=endpoint, data={"url": url, "event_types": event_types})
    return endpoint, secret


@transaction.atomic
def endpoint_update(
    *, endpoint: WebhookEndpoint, actor: User, url: str, event_types: list[str],
    description: str = "", enabled: bool | None = None,
) -> WebhookEndpoint:
    """Change what an endpoint receives; `enabled=True` re-enables a disabled one."""
    _require_admin(actor)
    url, event_types, description = _clean(url=url, event_types=event_types,
                                           description=description)
    endpoint.url, endpoint.event_types, endpoint.description = url, event_types, description
    if enabled is True and endpoint.disabled_at is not None:
        endpoint.disabled_at, endpoint.disabled_reason = None, ""
        endpoint.consecutive_failures = 0
    elif enabled is False and endpoint.disabled_at is None:
        endpoint.disabled_at, endpoint.disabled_reason = timezone.now(), "Disabled by an admin."
    endpoint.save()
    audit_record(organization=endpoint.organization, actor=actor,
                 action="integrations.webhook_updated", target=endpoint,
                 data={"url": url, "event_types": event_types, "active": endpoint.is_active})
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint, actor: User) -> str:
    _require_admin(actor)
    secret = new_secret()
    endpoint.secret_encrypted = encrypt(secret)
    endpoint.save(update_fields=["secret_encrypted", "updated_at"])
    audit_record(organization=endpoint.organization, actor=actor,
                 action="integrations.webhook_secret_rotated", target=endpoint)
    return secret


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, actor: User) -> None:
    _require_admin(actor)
    audit_record(organization=endpoint.organization, actor=actor,
                 action="integrations.webhook_deleted", target=endpoint,
                 data={"url": endpoint.url})
    endpoint.delete()


# --------------------------------------------------------------------------- events in


def webhook_event_received(organization: Organization, type: str, data: dict[str, Any]) -> None:
    """`chorus.notifications.events` handler: one delivery per subscribed active endpoint,
    sent in the background. Runs after the emitting transaction committed."""
    event_create(organization=organization, type=type, data=data)


@transaction.atomic
def event_create(
    *, organization: Organization, type: str, data: dict[str, Any]
) -> list[WebhookDelivery]:
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(organization=organization,
                                                  disabled_at__isnull=True)
        if type in e.event_types
    ]
    if not endpoints:
        return []
    message_id = f"msg_{ULID()}"
    body = json.dumps(
        {"type": type, "timestamp": timezone.now().isoformat().replace("+00:00", "Z"),
         "data": data},
        separators=(",", ":"), sort_keys=True, default=str,
    )
    deliveries = []
    for endpoint in endpoints:
        delivery = WebhookDelivery.objects.create(
            organization=organization, endpoint=endpoint, message_id=message_id,
            event_type=type, payload=body, next_attempt_at=timezone.now(),
        )
        deliveries.append(delivery)
        from chorus.integrations.tasks import webhook_deliver_task

        transaction.on_commit(partial(webhook_deliver_task.enqueue, delivery.pk))
    return deliveries


# --------------------------------------------------------------------------- sending


def signed_headers(*, secret: str, message_id: str, body: str,
                   when: datetime.datetime | None = None) -> dict[str, str]:
    when = when or timezone.now()
    signature = Webhook(secret).sign(msg_id=message_id, timestamp=when.astimezone(datetime.UTC),
                                     data=body)
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": signature,
    }


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> dict[str, Any]:
    """One signed request; the outcome as the fields of a WebhookAttempt."""
    headers = signed_headers(secret=endpoint_secret(endpoint), message_id=delivery.message_id,
                             body=delivery.payload)
    logged = {k: v for k, v in headers.items() if k != "webhook-signature"}
    logged["webhook-signature"] = headers["webhook-signature"][:12] + "…"
    started = time.monotonic()
    outcome: dict[str, Any] = {"request_headers": logged,
                               "request_body": delivery.payload[:LOG_BODY_CHARS]}
    timeout = float(settings.WEBHOOK_TIMEOUT_SECONDS)
    try:
        response = fetch(endpoint.url, method="POST", headers=headers,
                         data=delivery.payload.encode(), max_bytes=RESPONSE_MAX_BYTES,
                         deadline=timeout, timeout=timeout, allow_redirects=False)
    except OutboundError as exc:
        outcome["error"] = {
            "refused": "The address is not public; Chorus delivers only to public servers.",
            "timeout": f"No answer within {timeout:.0f} seconds.",
            "too_large": "The answer was too large.",
        }.get(exc.kind, exc.message)[:300]
    else:
        outcome["response_status"] = response.status_code
        outcome["response_body"] = response.content[:LOG_BODY_CHARS].decode("utf-8", "replace")
        if not 200 <= response.status_code < 300:
            outcome["error"] = f"The receiver answered HTTP {response.status_code}."
    outcome["duration_ms"] = int((time.monotonic() - started) * 1000)
    return outcome


def delivery_attempt(*, delivery_id: int, manual: bool = False,
                     actor: User | None = None) -> WebhookDelivery | None:
    """Send a delivery once (if still due, or always when `manual`), log it, schedule the next
    try or give up, and disable the endpoint after repeated failure. Safe to repeat: a
    delivery that succeeded or is not yet due is left alone unless redelivered by hand."""
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update(of=("self",))
                    .select_related("endpoint").filter(pk=delivery_id).first())
        if delivery is None:
            return None
        endpoint = delivery.endpoint
        if not manual:
            due = delivery.next_attempt_at is None or delivery.next_attempt_at <= timezone.now()
            if delivery.status in (WebhookDelivery.Status.SUCCEEDED,
                                   WebhookDelivery.Status.FAILED) or not due:
                return delivery
            if not endpoint.is_active:
                delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
                delivery.last_error = "The endpoint is disabled."
                delivery.save(update_fields=["status", "next_attempt_at", "last_error",
                                             "updated_at"])
                return delivery
        # Claim the attempt before the (slow) request, so a second worker skips it.
        delivery.attempts += 1
        delivery.next_attempt_at = timezone.now() + datetime.timedelta(minutes=10)
        delivery.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
        number = delivery.attempts

    outcome = _post(endpoint, delivery)
    succeeded = "error" not in outcome

    with transaction.atomic():
        WebhookAttempt.objects.create(organization_id=delivery.organization_id,
                                      delivery=delivery, number=number, manual=manual, **outcome)
        delivery.last_status_code = outcome.get("response_status")
        delivery.last_error = outcome.get("error", "")
        if succeeded:
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
        else:
            if outcome.get("response_status") == 410:
                delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
            elif manual and delivery.status == WebhookDelivery.Status.SUCCEEDED:
                delivery.next_attempt_at = None  # it was delivered before; nothing to retry
            elif number < MAX_ATTEMPTS:
                delivery.status = WebhookDelivery.Status.RETRYING
                delivery.next_attempt_at = timezone.now() + RETRY_SCHEDULE[number - 1]
            else:
                delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
                consecutive_failures=F("consecutive_failures") + 1
            )
        delivery.save(update_fields=["status", "last_status_code", "last_error", "delivered_at",
                                     "next_attempt_at", "updated_at"])
        if manual and actor is not None:
            audit_record(organization=endpoint.organization, actor=actor,
                         action="integrations.webhook_redelivered", target=delivery,
                         data={"attempt": number, "status": outcome.get("response_status")})
        if not succeeded:
            endpoint.refresh_from_db()
            gone = outcome.get("response_status") == 410
            if endpoint.is_active and (
                gone or endpoint.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES
            ):
                endpoint_disable(endpoint=endpoint, reason=(
                    "The receiver answered 410 Gone." if gone else
                    f"{endpoint.consecutive_failures} failed attempts in a row "
                    f"(last: {delivery.last_error})"
                ))
    return delivery


def endpoint_disable(*, endpoint: WebhookEndpoint, reason: str) -> None:
    """Stop an endpoint after repeated failure: pending deliveries fail, admins are told."""
    from chorus.notifications.services import notify
    from chorus.people.models import User

    endpoint.disabled_at, endpoint.disabled_reason = timezone.now(), reason[:300]
    endpoint.save(update_fields=["disabled_at", "disabled_reason", "updated_at"])
    endpoint.deliveries.filter(
        status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING]
    ).update(status=WebhookDelivery.Status.FAILED, next_attempt_at=None,
             last_error="The endpoint was disabled.")
    audit_record(organization=endpoint.organization, actor=None,
                 action="integrations.webhook_disabled", target=endpoint, data={"reason": reason})
    admins = User.objects.filter(organization_id=endpoint.organization_id, is_active=True,
                                 groups__name=Role.ADMIN).distinct()
    notify(
        kind="integrations.webhook_disabled", recipients=list(admins),
        organization=endpoint.organization,
        title=f"Webhook to {endpoint.url[:120]} was disabled",
        body=f"Chorus stopped sending events to this endpoint: {reason} Fix the receiver, "
             "then enable the endpoint again on the Integrations page.",
        link=f"/integrations/webhooks/{endpoint.pk}/",
        dedupe_key=f"webhook-disabled-{endpoint.pk}-{int(endpoint.disabled_at.timestamp())}",
    )


def deliveries_due(*, now: datetime.datetime | None = None, limit: int = 500) -> list[int]:
    """Ids of deliveries whose next try is due (the periodic retry sweep)."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING],
            next_attempt_at__lte=now,
        ).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )


def delivery_redeliver(*, delivery: WebhookDelivery, actor: User) -> WebhookDelivery:
    """Send a logged delivery again now, by hand (same webhook-id, fresh signature)."""
    _require_admin(actor)
    if not delivery.endpoint.is_active:
        raise InvalidInput(gettext("The endpoint is disabled; enable it first, then redeliver."),
                           field="endpoint")
    result = delivery_attempt(delivery_id=delivery.pk, manual=True, actor=actor)
    if result is None:
        raise NotFound(gettext("No such webhook delivery."))
    return result
