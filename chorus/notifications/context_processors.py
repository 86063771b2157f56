"""The bell in the top bar: the unread count, with one query, only when a page shows it."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest


class Bell:
    """Counts lazily: a page without the top bar (or a fragment) costs no query."""

    def __init__(self, user: Any) -> None:
        self.user = user

    @cached_property
    def unread(self) -> int:
        from chorus.notifications.models import Notification

        return Notification.objects.filter(recipient=self.user, read_at__isnull=True).count()

    @property
    def label(self) -> str:
        return "99+" if self.unread > 99 else str(self.unread)


def notification_bell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"web_app": True}
    return {"web_app": True, "notification_bell": Bell(user)}
