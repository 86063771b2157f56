"""The catalog of notification kinds. Each app registers the kinds it sends in ready()."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

StrOrPromise = str | Promise

IN_APP = "in_app"
EMAIL = "email"
PUSH = "push"

# The in-app center always records a notification; these are the channels outside it, in the
# order the preferences page shows them (a channel appears only once registered).
EXTERNAL_CHANNEL_ORDER = (EMAIL, PUSH, "slack", "teams")


@dataclass(frozen=True)
class NotificationKind:
    """What a notification is, independent of who gets it and how.

    `sensitive` kinds (reports, incidents, monitoring) never carry their content to an
    external channel: e-mail, Slack or push get `neutral_title` and the link only.
    `mandatory` kinds (e.g. a right-to-respond deadline) cannot be turned off by the person.
    """

    key: str  # "<app>.<event>", e.g. "advocacy.content_submitted"
    label: StrOrPromise  # shown in preferences: "Content submitted for review"
    sensitive: bool = False
    mandatory: bool = False
    default_channels: tuple[str, ...] = field(default=(IN_APP, EMAIL))
    neutral_title: StrOrPromise = _("You have an update in Chorus")  # noqa: RUF009 (lazy)


_KINDS: dict[str, NotificationKind] = {}


def register_kind(kind: NotificationKind) -> NotificationKind:
    """Add a kind to the catalog (idempotent for the same definition)."""
    existing = _KINDS.get(kind.key)
    if existing is not None and existing != kind:
        raise ValueError(f"Notification kind {kind.key!r} is already registered differently.")
    _KINDS[kind.key] = kind
    return kind


def get_kind(key: str) -> NotificationKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise ValueError(
            f"Unknown notification kind {key!r}: register it with register_kind() in the "
            "sending app's AppConfig.ready()."
        ) from None


DIGEST_KIND = "notifications.digest"


def all_kinds() -> list[NotificationKind]:
    return sorted(_KINDS.values(), key=lambda k: k.key)
