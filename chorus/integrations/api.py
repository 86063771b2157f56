"""Integrations API at /api/v1/integrations: webhook endpoints, their delivery log and
redelivery, for the organization's administrators (403 for others, 404 for another
organization's ids). The same services as Admin → Integrations."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Router, Schema, Status

from chorus.common.api import InputSchema, limit_query, offset_query
from chorus.common.types import AuthedRequest
from chorus.integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from chorus.integrations.webhooks import services
from chorus.notifications.events import EVENT_TYPES

router = Router(tags=["integrations"])


class EventTypeOut(Schema):
    type: str
    description: str


class EndpointIn(InputSchema):
    url: str
    event_types: list[str]
    description: str = ""


class EndpointPatch(InputSchema):
    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None
    enabled: bool | None = None


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_at: datetime.datetime | None
    disabled_reason: str
    consecutive_failures: int
    created_at: datetime.datetime


class EndpointCreatedOut(EndpointOut):
    secret: str


class SecretOut(Schema):
    secret: str


class AttemptOut(Schema):
    number: int
    manual: bool
    at: datetime.datetime
    request_headers: dict[str, str]
    request_body: str
    response_status: int | None
    response_body: str
    error: str
    duration_ms: int


class DeliveryOut(Schema):
    id: int
    endpoint_id: int
    message_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime.datetime | None
    last_status_code: int | None
    last_error: str
    delivered_at: datetime.datetime | None
    created_at: datetime.datetime
    log: list[AttemptOut]


def _endpoint(e: WebhookEndpoint) -> dict[str, Any]:
    return {"id": e.pk, "url": e.url, "description": e.description,
            "event_types": list(e.event_types), "enabled": e.is_active,
            "disabled_at": e.disabled_at, "disabled_reason": e.disabled_reason,
            "consecutive_failures": e.consecutive_failures, "created_at": e.created_at}


def _attempt(a: WebhookAttempt) -> dict[str, Any]:
    return {"number": a.number, "manual": a.manual, "at": a.created_at,
            "request_headers": {str(k): str(v) for k, v in a.request_headers.items()},
            "request_body": a.request_body, "response_status": a.response_status,
            "response_body": a.response_body, "error": a.error, "duration_ms": a.duration_ms}


def _delivery(d: WebhookDelivery) -> dict[str, Any]:
    return {"id": d.pk, "endpoint_id": d.endpoint_id, "message_id": d.message_id,
            "event_type": d.event_type, "status": d.status, "attempts": d.attempts,
            "next_attempt_at": d.next_attempt_at, "last_status_code": d.last_status_code,
            "last_error": d.last_error, "delivered_at": d.delivered_at,
            "created_at": d.created_at,
            "log": [_attempt(a) for a in d.attempt_log.all()]}


@router.get("/event-types", response=list[EventTypeOut], summary="Events you can subscribe to")
def event_types(request: AuthedRequest) -> list[dict[str, str]]:
    return [{"type": t, "description": d} for t, d in EVENT_TYPES.items()]


@router.get("/webhooks", response=list[EndpointOut], summary="Your organization's endpoints")
def endpoints_list(request: AuthedRequest) -> list[dict[str, Any]]:
    return [_endpoint(e) for e in services.endpoint_list_for(user=request.auth)]


@router.post("/webhooks", response={201: EndpointCreatedOut},
             summary="Subscribe a URL to event types",
             description="The answer holds the endpoint's `whsec_` signing secret: it is "
                         "shown only here (rotate it to get a new one).")
def endpoint_create(request: AuthedRequest, payload: EndpointIn) -> Any:
    endpoint, secret = services.endpoint_create(
        actor=request.auth, url=payload.url, event_types=payload.event_types,
        description=payload.description)
    return Status(201, {**_endpoint(endpoint), "secret": secret})


@router.get("/webhooks/{endpoint_id}", response=EndpointOut, summary="One endpoint")
def endpoint_get(request: AuthedRequest, endpoint_id: int) -> dict[str, Any]:
    return _endpoint(services.endpoint_get(user=request.auth, endpoint_id=endpoint_id))


@router.patch("/webhooks/{endpoint_id}", response=EndpointOut,
              summary="Change an endpoint; `enabled: true` re-enables a disabled one")
def endpoint_patch(request: AuthedRequest, endpoint_id: int,
                   payload: EndpointPatch) -> dict[str, Any]:
    endpoint = services.endpoint_get(user=request.auth, endpoint_id=endpoint_id)
    services.endpoint_update(
        endpoint=endpoint, actor=request.auth,
        url=payload.url if payload.url is not None else endpoint.url,
        event_types=(payload.event_types if payload.event_types is not None
                     else list(endpoint.event_types)),
        description=(payload.description if payload.description is not None
                     else endpoint.description),
        enabled=payload.enabled,
    )
    return _endpoint(services.endpoint_get(user=request.auth, endpoint_id=endpoint_id))


@router.post("/webhooks/{endpoint_id}/secret", response=SecretOut,
             summary="Rotate the signing secret (the new one is shown once)")
def endpoint_rotate(request: AuthedRequest, endpoint_id: int) -> dict[str, str]:
    endpoint = services.endpoint_get(user=request.auth, endpoint_id=endpoint_id)
    return {"secret": services.endpoint_rotate_secret(endpoint=endpoint, actor=request.auth)}


@router.delete("/webhooks/{endpoint_id}", response={204: None}, summary="Remove an endpoint")
def endpoint_delete(request: AuthedRequest, endpoint_id: int) -> Any:
    endpoint = services.endpoint_get(user=request.auth, endpoint_id=endpoint_id)
    services.endpoint_delete(endpoint=endpoint, actor=request.auth)
    return Status(204, None)


@router.get("/webhooks/{endpoint_id}/deliveries", response=list[DeliveryOut],
            summary="The delivery log of an endpoint, newest first")
def deliveries_list(request: AuthedRequest, endpoint_id: int, offset: int = offset_query(),
                    limit: int = limit_query(50, 200)) -> list[dict[str, Any]]:
    endpoint = services.endpoint_get(user=request.auth, endpoint_id=endpoint_id)
    rows = (endpoint.deliveries.prefetch_related("attempt_log")
            .order_by("-created_at", "-id")[offset:offset + min(limit, 200)])
    return [_delivery(d) for d in rows]


@router.post("/deliveries/{delivery_id}/redeliver", response=DeliveryOut,
             summary="Send a delivery again now (same webhook-id, fresh signature)")
def delivery_redeliver(request: AuthedRequest, delivery_id: int) -> dict[str, Any]:
    delivery = services.delivery_get(user=request.auth, delivery_id=delivery_id)
    delivery = services.delivery_redeliver(delivery=delivery, actor=request.auth)
    return _delivery(WebhookDelivery.objects.prefetch_related("attempt_log").get(pk=delivery.pk))
