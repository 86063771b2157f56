"""Delivery channels. A channel sends one Delivery or raises ChannelError."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.core.mail import send_mail

from chorus.notifications.kinds import EMAIL, get_kind

if TYPE_CHECKING:
    from chorus.notifications.models import Delivery


class ChannelError(Exception):
    """Delivery failed; `retryable` says whether trying again later can help."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class Channel(Protocol):
    name: str
    label: str

    def deliver(self, delivery: Delivery) -> None: ...


_CHANNELS: dict[str, Channel] = {}


def register_channel(channel: Channel) -> None:
    _CHANNELS[channel.name] = channel


def get_channel(name: str) -> Channel | None:
    return _CHANNELS.get(name)


def external_text(delivery: Delivery) -> tuple[str, str]:
    """(title, body) for a channel outside Chorus: a sensitive kind carries only a neutral
    title and the link, never the content."""
    notification = delivery.notification
    kind = get_kind(notification.kind)
    url = f"{settings.SITE_URL}{notification.link}" if notification.link else settings.SITE_URL
    if kind.sensitive:
        return kind.neutral_title, f"Open Chorus to read it: {url}"
    body = notification.body.strip()
    return notification.title, (f"{body}\n\n{url}" if body else url)


class EmailChannel:
    name = EMAIL
    label = "E-mail"

    def deliver(self, delivery: Delivery) -> None:
        from chorus.administration.services import sender_for

        notification = delivery.notification
        title, body = external_text(delivery)
        try:
            send_mail(
                title, body, sender_for(notification.organization),
                [notification.recipient.email], fail_silently=False,
            )
        except OSError as exc:  # smtplib errors are OSError subclasses
            raise ChannelError(f"The mail server refused or did not answer: {exc}") from exc
