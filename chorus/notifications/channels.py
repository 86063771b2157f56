"""Delivery channels. A channel sends one Delivery or raises ChannelError."""

from __future__ import annotations

import contextvars
import logging
import smtplib
import threading
import zoneinfo
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from chorus.notifications.kinds import EMAIL, get_kind

if TYPE_CHECKING:
    from chorus.notifications.models import Delivery

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "chorus.notifications.unsubscribe"


class ChannelError(Exception):
    """Delivery failed; `retryable` says whether trying again later can help."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class DeliverySkipped(Exception):
    """Nothing to deliver on this channel for this person (e.g. no device subscribed): the
    delivery is recorded as skipped with this message, and not retried."""


class Channel(Protocol):
    name: str
    label: str

    def deliver(self, delivery: Delivery) -> None: ...


_CHANNELS: dict[str, Channel] = {}


def register_channel(channel: Channel) -> None:
    _CHANNELS[channel.name] = channel


def get_channel(name: str) -> Channel | None:
    return _CHANNELS.get(name)


def registered_channel_names() -> list[str]:
    return list(_CHANNELS)


# --- one batch of deliveries --------------------------------------------------------------------

_T = TypeVar("_T")
_batch_memo: contextvars.ContextVar[dict[Any, Any] | None] = contextvars.ContextVar(
    "chorus_delivery_batch_memo", default=None
)


@contextmanager
def delivery_batch(deliveries: Sequence[Delivery]) -> Iterator[None]:
    """The scope of one batch run (`services.deliveries_run`): lookups memoized with
    `batch_memo` are made once per batch, and each channel that has a ``prepare(deliveries)``
    method is given its deliveries first (to read, say, every recipient's chat member in one
    query). Outside a batch, `batch_memo` computes every time, so nothing is cached for long.
    """
    token = _batch_memo.set({})
    try:
        by_channel: dict[str, list[Delivery]] = {}
        for delivery in deliveries:
            by_channel.setdefault(delivery.channel, []).append(delivery)
        for name, items in by_channel.items():
            prepare = getattr(_CHANNELS.get(name), "prepare", None)
            if prepare is not None:
                prepare(items)
        yield
    finally:
        _batch_memo.reset(token)


def batch_memo(key: Any, compute: Callable[[], _T]) -> _T:
    """`compute()` once per delivery batch for `key` (e.g. ("slack.installation", org_id))."""
    memo = _batch_memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[no-any-return]


def channel_label(name: str) -> str:
    channel = _CHANNELS.get(name)
    return channel.label if channel is not None else name


def external_parts(delivery: Delivery) -> tuple[str, str, str]:
    """(title, body, absolute url) for a channel outside Chorus. A sensitive kind carries only
    its neutral title and the link: the body is empty, whatever the notification holds."""
    notification = delivery.notification
    kind = get_kind(notification.kind)
    url = f"{settings.SITE_URL}{notification.link}" if notification.link else settings.SITE_URL
    if kind.sensitive:
        return str(kind.neutral_title), "", url
    # A title written from a catalog sentence reads in the active (recipient's) language.
    title = gettext(notification.title) if notification.title else ""
    return title, notification.body.strip(), url


def external_text(delivery: Delivery) -> tuple[str, str]:
    """(title, body) for a channel outside Chorus: a sensitive kind carries only a neutral
    title and the link, never the content."""
    title, body, url = external_parts(delivery)
    if get_kind(delivery.notification.kind).sensitive:
        return title, gettext("Open Chorus to read it: %(url)s") % {"url": url}
    return title, (f"{body}\n\n{url}" if body else url)


def unsubscribe_token(*, user_id: int, kind: str, channel: str = EMAIL) -> str:
    return signing.dumps({"u": user_id, "k": kind, "c": channel}, salt=UNSUBSCRIBE_SALT,
                         compress=True)  # fmt: skip


def unsubscribe_read(token: str) -> dict[str, Any] | None:
    """The (user, kind, channel) a one-click link stands for, or None if it was tampered with."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not {"u", "k", "c"} <= set(data):
        return None
    return data


def recipient_language(user: Any, organization: Any) -> str:
    return getattr(user, "language", "") or getattr(organization, "language", "") or "en"


def recipient_zone(user: Any, organization: Any) -> zoneinfo.ZoneInfo:
    for name in (getattr(user, "timezone", ""), getattr(organization, "timezone", "")):
        if name:
            try:
                return zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return zoneinfo.ZoneInfo("UTC")


def email_message(delivery: Delivery) -> EmailMultiAlternatives:
    """The e-mail for one delivery: plain text and HTML in the recipient's language, dates in
    their zone, and for a kind the person may turn off, `List-Unsubscribe` with a signed
    one-click URL (RFC 8058)."""
    from chorus.administration.services import sender_for

    notification = delivery.notification
    user, organization = notification.recipient, notification.organization
    kind = get_kind(notification.kind)
    title, body, url = external_parts(delivery)
    headers: dict[str, str] = {"Auto-Submitted": "auto-generated"}
    unsubscribe_url = ""
    if not kind.mandatory:
        token = unsubscribe_token(user_id=user.pk, kind=kind.key, channel=EMAIL)
        unsubscribe_url = settings.SITE_URL + reverse(
            "notifications-public:unsubscribe", args=[token]
        )
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    context = {
        "title": title, "body": body, "url": url, "kind": kind, "recipient": user,
        "organization": organization, "created_at": notification.created_at,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": settings.SITE_URL + reverse("notifications:preferences"),
        "sensitive": kind.sensitive, "mandatory": kind.mandatory,
    }  # fmt: skip
    with translation.override(recipient_language(user, organization)), timezone.override(
        recipient_zone(user, organization)
    ):
        text = render_to_string("notifications/email/notification.txt", context)
        html = render_to_string("notifications/email/notification.html", context)
    message = EmailMultiAlternatives(
        subject=title, body=text, from_email=sender_for(organization), to=[user.email],
        headers=headers,
    )  # fmt: skip
    message.attach_alternative(html, "text/html")
    return message


_local = threading.local()


def _connection() -> Any:
    # One SMTP session per worker thread, kept open between messages: a fan-out of thousands
    # must not pay a TCP and TLS handshake per message.
    key = (settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT,
           settings.EMAIL_HOST_USER)  # fmt: skip
    connection = getattr(_local, "connection", None)
    if connection is not None and getattr(_local, "key", None) != key:
        _drop_connection()
        connection = None
    if connection is None:
        connection = get_connection(fail_silently=False)
        connection.open()
        _local.connection, _local.key = connection, key
    return connection


def _drop_connection() -> None:
    connection = getattr(_local, "connection", None)
    _local.connection = None
    if connection is not None:
        try:
            connection.close()
        except Exception as exc:  # a broken session is being thrown away anyway
            logger.debug("closing a broken SMTP session: %s", exc)


def _smtp_error(exc: Exception) -> ChannelError:
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code, reply = next(iter(exc.recipients.values()))
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        return ChannelError(f"The mail server refused the recipient ({code} {text}).",
                            retryable=not 500 <= int(code) < 600)  # fmt: skip
    if isinstance(code, int):
        reply = getattr(exc, "smtp_error", b"")
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        return ChannelError(f"The mail server refused the message ({code} {text}).",
                            retryable=not 500 <= code < 600)  # fmt: skip
    return ChannelError(f"The mail server refused or did not answer: {exc}")


class EmailChannel:
    name = EMAIL
    label = "E-mail"

    def deliver(self, delivery: Delivery) -> None:
        message = email_message(delivery)
        for attempt in (1, 2):
            try:
                connection = _connection()
                message.connection = connection
                connection.send_messages([message])
                return
            except smtplib.SMTPServerDisconnected as exc:
                _drop_connection()  # the kept session timed out: open a new one once
                if attempt == 2:
                    raise _smtp_error(exc) from exc
            except (OSError, smtplib.SMTPException) as exc:  # smtplib errors are OSErrors
                _drop_connection()
                raise _smtp_error(exc) from exc
