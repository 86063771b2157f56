"""Web Push with VAPID (RFC 8030, 8291, 8292) through pywebpush.

Keys: `WEBPUSH_VAPID_PRIVATE_KEY` (the raw P-256 private key, base64url) from the
environment, else the file `var/vapid-private.key` that `chorus vapid_keys` (run by
`chorus init`) creates once. Without a key the "push" channel is not registered.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from chorus.notifications.channels import ChannelError, DeliverySkipped, external_parts
from chorus.notifications.kinds import PUSH

if TYPE_CHECKING:
    from chorus.notifications.models import Delivery, PushSubscription
    from chorus.people.models import User

logger = logging.getLogger(__name__)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_file() -> Path:
    return Path(getattr(settings, "WEBPUSH_VAPID_KEY_FILE", settings.BASE_DIR / "var"
                        / "vapid-private.key"))  # fmt: skip


def vapid_private_key() -> str:
    configured = getattr(settings, "WEBPUSH_VAPID_PRIVATE_KEY", "")
    if configured:
        return str(configured).strip()
    path = key_file()
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    return ""


def _private(key: str) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int.from_bytes(_unb64(key), "big"), ec.SECP256R1())


def vapid_public_key() -> str:
    """The application server key browsers subscribe with (uncompressed point, base64url)."""
    key = vapid_private_key()
    if not key:
        return ""
    public = _private(key).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64(public)


def generate_vapid_private_key() -> str:
    private = ec.generate_private_key(ec.SECP256R1())
    return _b64(private.private_numbers().private_value.to_bytes(32, "big"))


def ensure_vapid_key() -> tuple[Path | None, bool]:
    """Create the key file if no key is configured. Returns (path, created)."""
    if getattr(settings, "WEBPUSH_VAPID_PRIVATE_KEY", ""):
        return None, False
    path = key_file()
    if path.is_file():
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(generate_vapid_private_key() + "\n")
    return path, True


def push_subscribe(
    *, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> PushSubscription:
    """Store (or refresh) this device's subscription for `user`."""
    from chorus.common.errors import InvalidInput
    from chorus.notifications.models import PushSubscription

    # Browsers' push services are all https; plain http only for a local test push service.
    insecure_ok = getattr(settings, "WEBPUSH_ALLOW_HTTP_ENDPOINTS", False)
    if not endpoint.startswith(("https://", "http://") if insecure_ok else ("https://",)):
        raise InvalidInput(
            gettext("A push endpoint must be an https:// address."), field="endpoint"
        )
    try:
        point = _unb64(p256dh)
        secret = _unb64(auth)
    except (ValueError, TypeError):
        raise InvalidInput(
            gettext("The subscription keys are not base64url."), field="keys"
        ) from None
    if len(point) != 65 or point[0] != 4:
        raise InvalidInput(gettext("keys.p256dh must be an uncompressed P-256 point (65 bytes)."),
                           field="keys.p256dh")  # fmt: skip
    if len(secret) != 16:
        raise InvalidInput(gettext("keys.auth must be 16 bytes."), field="keys.auth")
    subscription, _ = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={"user": user, "organization_id": user.org_id, "p256dh": p256dh,
                  "auth": auth, "user_agent": user_agent[:300]},
    )  # fmt: skip
    return subscription


class PushChannel:
    """Sends to every device the person subscribed; a device the push service says is gone
    (404 or 410) is removed. Sensitive kinds carry only the neutral title and the link."""

    name = PUSH
    label = "Push to my devices"

    def deliver(self, delivery: Delivery) -> None:
        from pywebpush import WebPushException, webpush

        from chorus.common.http import OutboundError, OutboundSession
        from chorus.notifications.models import PushSubscription

        key = vapid_private_key()
        if not key:
            raise ChannelError(gettext("Web Push has no VAPID key; run `chorus vapid_keys`."),
                               retryable=False)  # fmt: skip
        notification = delivery.notification
        devices = list(PushSubscription.objects.filter(user_id=notification.recipient_id))
        if not devices:
            raise DeliverySkipped(gettext("no device subscribed"))
        title, body, url = external_parts(delivery)
        payload = json.dumps({"title": title, "body": body[:500], "url": url,
                              "tag": f"chorus-{notification.pk}"})  # fmt: skip
        subject = getattr(settings, "WEBPUSH_VAPID_SUBJECT", "") or (
            f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].strip('> ')}"
        )
        sent, errors = 0, []
        session = OutboundSession(timeout=10, deadline=20, max_bytes=64 * 1024)
        for device in devices:
            try:
                webpush(
                    subscription_info={"endpoint": device.endpoint,
                                       "keys": {"p256dh": device.p256dh, "auth": device.auth}},
                    data=payload, vapid_private_key=key, vapid_claims={"sub": subject},
                    ttl=24 * 3600, requests_session=session,
                )  # fmt: skip
            except WebPushException as exc:
                status = getattr(exc.response, "status_code", None)
                if status in (404, 410):
                    logger.info("push subscription %s expired (%s); removed", device.pk, status)
                    device.delete()
                    continue
                errors.append(f"push service answered {status or 'nothing'}")
            except OutboundError as exc:
                errors.append(str(exc))
            else:
                sent += 1
                device.last_success_at = timezone.now()
                device.save(update_fields=["last_success_at", "updated_at"])
        if sent:
            return
        if errors:
            raise ChannelError("; ".join(errors)[:500])
        raise DeliverySkipped(gettext("every subscribed device had expired; removed"))
