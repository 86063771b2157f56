"""`/api/v1/notifications`: the caller's own notifications, preferences and push devices."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.utils.translation import gettext
from ninja import Field, Router, Schema

from chorus.common.api import Id, InputSchema, limit_query, offset_query
from chorus.common.errors import NotFound
from chorus.common.types import AuthedRequest
from chorus.notifications.models import Notification, PushSubscription
from chorus.notifications.services import (
    notification_mark_read,
    notifications_mark_all_read,
    preference_update,
    preferences_for,
)

router = Router(tags=["notifications"])

MAX_LIMIT = 100


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    count: int
    unread: int
    items: list[NotificationOut]


class UnreadOut(Schema):
    unread: int


class ReadAllOut(Schema):
    marked: int


def _out(n: Notification) -> dict[str, Any]:
    return {"id": n.pk, "kind": n.kind, "title": n.title, "body": n.body, "link": n.link,
            "created_at": n.created_at, "read_at": n.read_at}  # fmt: skip


@router.get("", response=NotificationPage, summary="My notifications, newest first")
def notification_list(
    request: AuthedRequest,
    unread: bool = False,
    offset: int = offset_query(),
    limit: int = limit_query(30, MAX_LIMIT),
) -> dict[str, Any]:
    user = request.auth
    rows = Notification.objects.filter(recipient=user).order_by("-created_at", "-id")
    unread_count = rows.filter(read_at__isnull=True).count()
    if unread:
        rows = rows.filter(read_at__isnull=True)
    limit = min(limit, MAX_LIMIT)
    return {
        "count": rows.count(),
        "unread": unread_count,
        "items": [_out(n) for n in rows[offset : offset + limit]],
    }


@router.get("/unread-count", response=UnreadOut, summary="How many are unread (the bell)")
def unread_count(request: AuthedRequest) -> dict[str, int]:
    count = Notification.objects.filter(recipient=request.auth, read_at__isnull=True).count()
    return {"unread": count}


@router.post("/{notification_id}/read", response=NotificationOut, summary="Mark one read")
def mark_read(request: AuthedRequest, notification_id: Id) -> dict[str, Any]:
    return _out(notification_mark_read(user=request.auth, notification_id=notification_id))


@router.post("/read-all", response=ReadAllOut, summary="Mark all read")
def mark_all_read(request: AuthedRequest) -> dict[str, int]:
    return {"marked": notifications_mark_all_read(user=request.auth)}


class PreferencesOut(Schema):
    channels: dict[str, list[str]] = Field(..., description="Kind → external channels.")
    quiet_start: time | None
    quiet_end: time | None
    digest: str


class PreferencesIn(InputSchema):
    channels: dict[str, list[str]] | None = Field(
        None, description="Kind → external channels (email, push, slack, teams)."
    )
    quiet_start: time | None = None
    quiet_end: time | None = None
    clear_quiet_hours: bool = False
    digest: str | None = Field(None, description="off, daily or weekly.")


def _preferences_out(user: Any) -> dict[str, Any]:
    from chorus.notifications.kinds import DIGEST_KIND, all_kinds

    choices = preferences_for(user=user)
    return {
        "channels": {k.key: choices.channels_for(k) for k in all_kinds() if k.key != DIGEST_KIND},
        "quiet_start": choices.quiet_start,
        "quiet_end": choices.quiet_end,
        "digest": choices.digest,
    }


@router.get("/preferences", response=PreferencesOut, summary="My notification settings")
def preferences_get(request: AuthedRequest) -> dict[str, Any]:
    return _preferences_out(request.auth)


@router.put("/preferences", response=PreferencesOut, summary="Change my notification settings")
def preferences_put(request: AuthedRequest, payload: PreferencesIn) -> dict[str, Any]:
    preference_update(
        user=request.auth, channels=payload.channels, quiet_start=payload.quiet_start,
        quiet_end=payload.quiet_end, digest=payload.digest,
        clear_quiet_hours=payload.clear_quiet_hours,
    )  # fmt: skip
    return _preferences_out(request.auth)


class PushKeys(InputSchema):
    p256dh: str = Field(..., max_length=200)
    auth: str = Field(..., max_length=100)


class PushSubscriptionIn(InputSchema):
    """What the browser's `PushSubscription.toJSON()` gives."""

    endpoint: str = Field(..., max_length=1000)
    keys: PushKeys
    expirationTime: float | None = None


class PushSubscriptionOut(Schema):
    id: int
    endpoint: str
    created_at: datetime


class PushKeyOut(Schema):
    public_key: str = Field(..., description="VAPID applicationServerKey (base64url); empty "
                            "when Web Push is not set up.")  # fmt: skip


@router.get("/push/key", response=PushKeyOut, summary="The VAPID key to subscribe with")
def push_key(request: AuthedRequest) -> dict[str, str]:
    from chorus.notifications.push import vapid_public_key

    return {"public_key": vapid_public_key()}


@router.post("/push/subscriptions", response={201: PushSubscriptionOut},
             summary="Subscribe this device to pushes")  # fmt: skip
def push_subscribe(request: AuthedRequest, payload: PushSubscriptionIn) -> tuple[int, Any]:
    from chorus.notifications.push import push_subscribe as subscribe

    sub = subscribe(
        user=request.auth, endpoint=payload.endpoint, p256dh=payload.keys.p256dh,
        auth=payload.keys.auth, user_agent=request.headers.get("User-Agent", ""),
    )  # fmt: skip
    return 201, {"id": sub.pk, "endpoint": sub.endpoint, "created_at": sub.created_at}


@router.get("/push/subscriptions", response=list[PushSubscriptionOut],
            summary="My subscribed devices")  # fmt: skip
def push_subscription_list(request: AuthedRequest) -> list[dict[str, Any]]:
    return [
        {"id": s.pk, "endpoint": s.endpoint, "created_at": s.created_at}
        for s in PushSubscription.objects.filter(user=request.auth).order_by("-created_at")
    ]


@router.delete("/push/subscriptions/{subscription_id}", response={204: None},
               summary="Unsubscribe a device")  # fmt: skip
def push_unsubscribe(request: AuthedRequest, subscription_id: Id) -> tuple[int, None]:
    deleted, _ = PushSubscription.objects.filter(pk=subscription_id, user=request.auth).delete()
    if not deleted:
        raise NotFound(gettext("That device is not subscribed."))
    return 204, None
