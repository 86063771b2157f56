"""notify(): the one way Chorus tells a person something. Every app calls it.

Also here: the person's preferences (channels per kind, quiet hours, digest), the
organization's defaults per role, delivery with retries and exponential backoff, and the
digest builder.
"""

from __future__ import annotations

import logging
import secrets
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from chorus.common.errors import InvalidInput, NotFound
from chorus.notifications.kinds import (
    DIGEST_KIND,
    EXTERNAL_CHANNEL_ORDER,
    IN_APP,
    PUSH,
    NotificationKind,
    all_kinds,
    get_kind,
)
from chorus.notifications.models import (
    Delivery,
    DeliveryAttempt,
    Digest,
    DigestMode,
    Notification,
    NotificationPreference,
    RoleDefault,
)

if TYPE_CHECKING:
    from chorus.people.models import Organization, User

logger = logging.getLogger(__name__)

MAX_TITLE = 200
# A run claims its delivery for this long; a worker that dies mid-send frees it after that.
CLAIM_SECONDS = 300
# An enqueue that never ran (lost with its worker) is picked up again after this long.
LOST_AFTER = timedelta(minutes=10)
# Role precedence when a person holds several roles with different defaults.
ROLE_ORDER = ("admin", "hr", "legal", "communications", "manager", "employee")


# --- preferences ---------------------------------------------------------------------------


def available_channels() -> list[str]:
    """External channels that are set up in this installation, in display order."""
    from chorus.notifications.channels import registered_channel_names
    from chorus.notifications.push import vapid_public_key

    names = [n for n in registered_channel_names() if n != PUSH or vapid_public_key()]
    ordered = [c for c in EXTERNAL_CHANNEL_ORDER if c in names]
    return ordered + sorted(n for n in names if n not in ordered)


@dataclass(frozen=True)
class Choices:
    """What applies to one person: their stored choices over the role defaults."""

    channels: dict[str, list[str]]
    role_channels: dict[str, list[str]]
    quiet_start: time | None
    quiet_end: time | None
    digest: str

    def channels_for(self, kind: NotificationKind) -> list[str]:
        """External channels for `kind`: the person's choice, else the role default, else the
        kind's default. A mandatory kind always keeps its own default channels."""
        default = [c for c in kind.default_channels if c != IN_APP]
        if kind.key in self.channels:
            chosen = list(self.channels[kind.key])
        elif kind.key in self.role_channels:
            chosen = list(self.role_channels[kind.key])
        else:
            chosen = default
        if kind.mandatory:
            chosen = default + [c for c in chosen if c not in default]
        return [c for c in chosen if c != IN_APP]


def _role_defaults(organization_id: int) -> dict[str, RoleDefault]:
    return {d.role: d for d in RoleDefault.objects.filter(organization_id=organization_id)}


def _choices(
    *, pref: NotificationPreference | None, roles: Iterable[str], defaults: dict[str, RoleDefault]
) -> Choices:
    role_channels: dict[str, list[str]] = {}
    role_digest = DigestMode.OFF
    held = set(roles)
    for role in ROLE_ORDER:
        default = defaults.get(role)
        if role in held and default is not None:
            for key, channels in (default.channels or {}).items():
                role_channels.setdefault(key, list(channels))
            if role_digest == DigestMode.OFF:
                role_digest = DigestMode(default.digest)
    if pref is None:
        return Choices({}, role_channels, None, None, role_digest)
    return Choices(
        dict(pref.channels or {}), role_channels, pref.quiet_start, pref.quiet_end, pref.digest
    )


def preferences_for(*, user: User) -> Choices:
    """The choices that apply to `user` now (their own, over their roles' defaults)."""
    pref = NotificationPreference.objects.filter(user=user).first()
    return _choices(pref=pref, roles=user.role_names, defaults=_role_defaults(user.org_id))


def _check_channels(channels: dict[str, Any], *, field: str) -> dict[str, list[str]]:
    known_kinds = {k.key for k in all_kinds()}
    known_channels = set(available_channels())
    clean: dict[str, list[str]] = {}
    if not isinstance(channels, dict):
        raise InvalidInput(gettext("Send the channels as an object of kind → list of channels."),
                           field=field)  # fmt: skip
    for key, value in channels.items():
        if key not in known_kinds:
            raise InvalidInput(
                gettext("Unknown notification kind %(key)s.") % {"key": repr(key)}, field=field
            )
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            raise InvalidInput(
                gettext("The channels of %(key)s must be a list of names.") % {"key": repr(key)},
                field=field,
            )
        unknown = sorted(set(value) - known_channels - {IN_APP})
        if unknown:
            raise InvalidInput(
                gettext("Unknown channel %(unknown)s for %(key)s; choose from %(join)s.")
                % {
                    "unknown": repr(unknown[0]),
                    "key": repr(key),
                    "join": ", ".join(sorted(known_channels)),
                },
                field=field,
            )
        clean[key] = [c for c in dict.fromkeys(value) if c != IN_APP]
    return clean


@transaction.atomic
def preference_update(
    *,
    user: User,
    channels: dict[str, Any] | None = None,
    quiet_start: time | None = None,
    quiet_end: time | None = None,
    digest: str | None = None,
    clear_quiet_hours: bool = False,
) -> NotificationPreference:
    """Save the person's choices. A mandatory kind cannot lose its default channels: asking
    for that is an error that names the kind, not a silent change."""
    pref, _ = NotificationPreference.objects.get_or_create(
        user=user, defaults={"organization_id": user.org_id}
    )
    if channels is not None:
        clean = _check_channels(channels, field="channels")
        for key, chosen in clean.items():
            kind = get_kind(key)
            missing = [c for c in kind.default_channels if c != IN_APP and c not in chosen]
            if kind.mandatory and missing:
                raise InvalidInput(
                    gettext(
                        "“%(label)s” is mandatory: it always reaches you by %(join)s. You "
                        "can add channels, not remove that one."
                    )
                    % {"label": kind.label, "join": ", ".join(missing)},
                    field="channels",
                )
        pref.channels = {**(pref.channels or {}), **clean}
    if clear_quiet_hours:
        pref.quiet_start = pref.quiet_end = None
    elif quiet_start is not None or quiet_end is not None:
        if quiet_start is None or quiet_end is None or quiet_start == quiet_end:
            raise InvalidInput(
                gettext("Give both the start and the end of your quiet hours, and make them "
                        "differ."),
                field="quiet_start" if quiet_start is None else "quiet_end",
            )
        pref.quiet_start, pref.quiet_end = quiet_start, quiet_end
    if digest is not None:
        if digest not in DigestMode.values:
            raise InvalidInput(
                gettext("Digest must be one of %(join)s.") % {"join": ", ".join(DigestMode.values)},
                field="digest",
            )
        pref.digest = digest
    pref.save()
    return pref


@transaction.atomic
def role_default_update(
    *, actor: User, role: str, channels: dict[str, Any], digest: str = DigestMode.OFF
) -> RoleDefault:
    """Set the organization's default channels (and digest) for everyone holding `role`."""
    from chorus.audit.services import audit_record

    if role not in ROLE_ORDER:
        raise InvalidInput(gettext("Unknown role %(role)s.") % {"role": repr(role)}, field="role")
    if digest not in DigestMode.values:
        raise InvalidInput(gettext("Digest must be one of %(join)s.")
            % {"join": ', '.join(DigestMode.values)},
                           field="digest")  # fmt: skip
    clean = _check_channels(channels, field="channels")
    default, _ = RoleDefault.objects.update_or_create(
        organization_id=actor.org_id, role=role,
        defaults={"channels": clean, "digest": digest},
    )  # fmt: skip
    audit_record(
        organization=actor.org, actor=actor, action="notifications.role_default_set",
        target=default, data={"role": role, "digest": digest},
    )  # fmt: skip
    return default


def _zone(user: User, organization: Organization) -> zoneinfo.ZoneInfo:
    for name in (getattr(user, "timezone", ""), getattr(organization, "timezone", ""), "UTC"):
        if name:
            try:
                return zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return zoneinfo.ZoneInfo("UTC")


def quiet_until(
    *, choices: Choices, zone: zoneinfo.ZoneInfo, now: datetime
) -> datetime | None:
    """The end of the person's quiet hours if `now` falls inside them, else None."""
    start, end = choices.quiet_start, choices.quiet_end
    if start is None or end is None:
        return None
    local = now.astimezone(zone)
    t = local.time().replace(tzinfo=None)
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    end_day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(end_day, end, tzinfo=zone).astimezone(zoneinfo.ZoneInfo("UTC"))


# --- notify -----------------------------------------------------------------------------------


def notify(
    *,
    kind: str,
    recipients: Iterable[User],
    organization: Organization,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str = "",
    now: datetime | None = None,
) -> list[Notification]:
    """Record a notification for each active recipient of `organization` and queue its
    delivery on the person's channels for that kind after the surrounding transaction commits.

    Guarantees: recipients of another organization and inactive accounts are skipped; a
    repeated call with the same non-empty `dedupe_key` does not notify anyone twice; each
    (notification, channel) is delivered at most once even if the task runs again; a
    failing channel never blocks the others. `link` is a path inside Chorus ("/reports/3/").
    Preferences apply: the channels the person chose for the kind (a mandatory kind keeps its
    defaults), quiet hours (delivery waits until they end) and the digest (non-mandatory kinds
    wait for the person's daily or weekly digest).
    """
    spec = get_kind(kind)
    now = now or timezone.now()
    users: list[User] = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        if user.organization_id != organization.pk:
            continue
        seen.add(user.pk)
        users.append(user)
    if not users:
        return []
    prefs: dict[int, NotificationPreference] = {}
    roles: dict[int, set[str]] = {}
    existing: set[int] = set()
    defaults = _role_defaults(organization.pk)
    for ids in _chunks(sorted(seen)):
        prefs.update((p.user_id, p) for p in NotificationPreference.objects.filter(user_id__in=ids))
        if defaults:
            from chorus.people.models import User as UserModel

            through = UserModel.groups.through
            for user_id, name in through.objects.filter(user_id__in=ids).values_list(
                "user_id", "group__name"
            ):
                roles.setdefault(user_id, set()).add(name)
        if dedupe_key:
            existing.update(
                Notification.objects.filter(
                    recipient_id__in=ids, kind=spec.key, dedupe_key=dedupe_key
                ).values_list("recipient_id", flat=True)
            )
    users = [u for u in users if u.pk not in existing]

    def choices_of(user: User) -> Choices:
        return _choices(pref=prefs.get(user.pk), roles=roles.get(user.pk, ()), defaults=defaults)

    rows = [
        Notification(
            organization=organization, recipient=user, kind=spec.key, title=title[:MAX_TITLE],
            body=body, link=link, dedupe_key=dedupe_key,
        )
        for user in users
    ]  # fmt: skip
    try:
        # The whole fan-out in bulk inserts: a content drop to 10,000 people is a few dozen
        # statements, not 20,000.
        with transaction.atomic():
            created = Notification.objects.bulk_create(rows, batch_size=BULK_BATCH)
            queued = _queue_deliveries_bulk(
                notifications=created, spec=spec, organization=organization,
                choices_of=choices_of, now=now,
            )  # fmt: skip
    except IntegrityError:
        # A concurrent call with the same dedupe_key notified someone in the meantime: insert
        # one by one, skipping whoever already has it.
        created = []
        with transaction.atomic():
            for row in rows:
                try:
                    with transaction.atomic():
                        row.pk = None
                        row.save(force_insert=True)
                except IntegrityError:
                    continue
                created.append(row)
            queued = _queue_deliveries_bulk(
                notifications=created, spec=spec, organization=organization,
                choices_of=choices_of, now=now,
            )  # fmt: skip
    if queued:
        transaction.on_commit(partial(_enqueue_deliveries, queued))
    return created


# Rows per bulk INSERT and ids per IN (...) list (well under SQLite's variable limit).
BULK_BATCH = 1000
IN_CHUNK = 5000


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), IN_CHUNK):
        yield ids[start : start + IN_CHUNK]


def _queue_deliveries_bulk(
    *,
    notifications: list[Notification],
    spec: NotificationKind,
    organization: Organization,
    choices_of: Any,
    now: datetime,
    channels: list[str] | None = None,
) -> list[int]:
    """Create the deliveries of freshly created notifications in bulk; returns the ids to
    send now (not held for a digest, not waiting for quiet hours to end). With `channels`
    (a digest), those channels and no holding; otherwise the person's channels for the kind."""
    rows: list[Delivery] = []
    for notification in notifications:
        user = notification.recipient
        choices = choices_of(user)
        hold = channels is None and not spec.mandatory and choices.digest != DigestMode.OFF
        wait_until = None if hold else quiet_until(
            choices=choices, zone=_zone(user, organization), now=now
        )
        for channel in channels if channels is not None else choices.channels_for(spec):
            if channel == IN_APP:
                continue
            rows.append(Delivery(
                organization=organization, notification=notification, channel=channel,
                status=Delivery.Status.HELD if hold else Delivery.Status.PENDING,
                next_attempt_at=wait_until,
            ))  # fmt: skip
    created = Delivery.objects.bulk_create(rows, batch_size=BULK_BATCH)
    return [
        d.pk for d in created if d.status == Delivery.Status.PENDING and d.next_attempt_at is None
    ]


# Deliveries per background task: one task sends a batch over one kept connection; each
# delivery is still claimed, recorded and retried on its own.
DELIVERY_BATCH = 100


def _enqueue_deliveries(delivery_ids: list[int]) -> None:
    from chorus.notifications.tasks import deliver_notifications_task

    for start in range(0, len(delivery_ids), DELIVERY_BATCH):
        deliver_notifications_task.enqueue(delivery_ids[start : start + DELIVERY_BATCH])


# --- the in-app center ------------------------------------------------------------------------


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read (another person's id is a 404)."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise NotFound(gettext("That notification does not exist."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def unsubscribe(*, user: User, kind: str, channel: str) -> bool:
    """Stop `kind` on `channel` for `user` (the one-click link in an e-mail). Returns False
    for a mandatory kind, which cannot be turned off."""
    spec = get_kind(kind)
    if spec.mandatory:
        return False
    current = preferences_for(user=user).channels_for(spec)
    preference_update(user=user, channels={kind: [c for c in current if c != channel]})
    return True


# --- delivery ---------------------------------------------------------------------------------


def retry_delay(attempt: int) -> timedelta:
    """Exponential backoff: base, 2×base, 4×base ... capped at six hours."""
    base = max(1, int(getattr(settings, "NOTIFICATIONS_RETRY_BASE_SECONDS", 60)))
    return timedelta(seconds=min(base * 2 ** max(0, attempt - 1), 6 * 3600))


def max_attempts() -> int:
    return max(1, int(getattr(settings, "NOTIFICATIONS_MAX_ATTEMPTS", 6)))


def delivery_run(*, delivery_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Try one delivery once it is due (the batch path with a batch of one); returns
    ``{"delivery": id, "status": ...}`` with the row's status after the run ("gone" if the
    row does not exist)."""
    deliveries_run(delivery_ids=[delivery_id], now=now)
    status = Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
    return {"delivery": delivery_id, "status": status or "gone"}


def deliveries_run(*, delivery_ids: list[int], now: datetime | None = None) -> dict[str, int]:
    """Send a batch of deliveries that are due. Safe to repeat and to run concurrently: one
    conditional UPDATE claims the batch's waiting, due rows with a random token, so only one
    run sends each; a delivery already sent, skipped, failed for good, held for a digest or
    not yet due is left alone (counted as "unclaimed").

    Each delivery's outcome is recorded as soon as it is known, in its own short transaction,
    so a worker that dies mid-batch re-sends nothing already recorded; a failing delivery is
    retried later with exponential backoff (`NOTIFICATIONS_RETRY_BASE_SECONDS`), up to
    `NOTIFICATIONS_MAX_ATTEMPTS`, and never holds back the rest. Every try is written to the
    delivery log (DeliveryAttempt). Returns the count of outcomes per status.

    Per batch, not per message: one claim, one read of the rows with their notification,
    recipient and organization, and the channels' lookups (an installation, a content item, a
    chat member) memoized for the batch (`channels.delivery_batch`).
    """
    from chorus.notifications.channels import delivery_batch

    now = now or timezone.now()
    ids = sorted({int(i) for i in delivery_ids})
    if not ids:
        return {}
    token = secrets.token_hex(16)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = (
        Delivery.objects.filter(pk__in=ids, status__in=(Delivery.Status.PENDING,
                                                       Delivery.Status.RETRYING))
        .filter(due)
        .update(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS), claim=token)
    )  # fmt: skip
    outcome: dict[str, int] = {}
    if claimed < len(ids):
        outcome["unclaimed"] = len(ids) - claimed
    if not claimed:
        return outcome
    rows = list(
        Delivery.objects.select_related(
            "notification", "notification__recipient", "notification__organization"
        )
        .filter(pk__in=ids, claim=token)
        .order_by("pk")
    )
    with delivery_batch(rows):
        for delivery in rows:
            status = _delivery_send(delivery, now=now)
            outcome[status] = outcome.get(status, 0) + 1
    return outcome


def _delivery_send(delivery: Delivery, *, now: datetime) -> str:
    """Send one claimed delivery on its channel and record the outcome; returns the status."""
    from chorus.notifications.channels import (
        ChannelError,
        DeliverySkipped,
        get_channel,
        recipient_language,
    )

    channel = get_channel(delivery.channel)
    delivery.attempts += 1
    error = ""
    if channel is None:
        status, error = Delivery.Status.SKIPPED, "channel not set up"
    else:
        try:
            # Every channel writes in the recipient's language (e-mail, push, Slack, Teams).
            notification = delivery.notification
            with translation.override(
                recipient_language(notification.recipient, notification.organization)
            ):
                channel.deliver(delivery)
        except DeliverySkipped as exc:
            status, error = Delivery.Status.SKIPPED, str(exc)[:500]
        except ChannelError as exc:
            error = exc.message[:500]
            retry = exc.retryable and delivery.attempts < max_attempts()
            status = Delivery.Status.RETRYING if retry else Delivery.Status.FAILED
        except Exception as exc:  # a bug in one channel must not stop the others
            logger.exception("channel %s raised on delivery %s", delivery.channel, delivery.pk)
            error = f"Unexpected error in the {delivery.channel} channel ({type(exc).__name__})."
            retry = delivery.attempts < max_attempts()
            status = Delivery.Status.RETRYING if retry else Delivery.Status.FAILED
        else:
            status = Delivery.Status.SENT
    sent_at = timezone.now() if status == Delivery.Status.SENT else delivery.sent_at
    next_at = now + retry_delay(delivery.attempts) if status == Delivery.Status.RETRYING else None
    with transaction.atomic():
        # A queryset update, not save(): one statement, and only while this run holds the claim.
        Delivery.objects.filter(pk=delivery.pk, claim=delivery.claim).update(
            status=status, attempts=delivery.attempts, last_error=error, sent_at=sent_at,
            next_attempt_at=next_at, claim="", updated_at=timezone.now(),
        )  # fmt: skip
        DeliveryAttempt.objects.create(
            organization_id=delivery.organization_id, delivery=delivery,
            number=delivery.attempts, outcome=status, error=error,
        )  # fmt: skip
    delivery.status, delivery.last_error, delivery.sent_at = status, error, sent_at
    delivery.next_attempt_at, delivery.claim = next_at, ""
    if status == Delivery.Status.RETRYING:
        logger.warning("delivery %s on %s failed (try %s), retry at %s: %s", delivery.pk,
                       delivery.channel, delivery.attempts, next_at, error)
    return str(status)


def deliveries_due(*, now: datetime | None = None, limit: int = 5000) -> list[int]:
    """Deliveries whose time has come: after quiet hours, a retry's backoff, an expired claim,
    or an enqueue that was lost with its worker."""
    now = now or timezone.now()
    waiting = (Delivery.Status.PENDING, Delivery.Status.RETRYING)
    rows = Delivery.objects.filter(status__in=waiting).filter(
        Q(next_attempt_at__lte=now)
        | Q(next_attempt_at__isnull=True, created_at__lt=now - LOST_AFTER)
    )
    return list(rows.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def deliveries_dispatch_due(*, now: datetime | None = None) -> int:
    """Enqueue every due delivery (run each minute by the scheduler)."""
    ids = deliveries_due(now=now)
    _enqueue_deliveries(ids)
    return len(ids)


# --- digests ----------------------------------------------------------------------------------


def _period_start(mode: str, local: datetime) -> date | None:
    """The period whose digest is due at local time `local`, or None before the hour."""
    hour = int(getattr(settings, "NOTIFICATIONS_DIGEST_HOUR", 8))
    if mode == DigestMode.DAILY:
        return local.date() if local.hour >= hour else None
    if mode == DigestMode.WEEKLY:
        monday = local.date() - timedelta(days=local.weekday())
        if local.weekday() == 0 and local.hour < hour:
            return None
        return monday
    return None


def digests_build(*, now: datetime | None = None) -> int:
    """Build the due digest of each person with held deliveries: one per person per period
    (the unique Digest row makes a repeated run a no-op), one notification listing what was
    held, delivered on the channels those items were held for. Returns digests built."""
    from chorus.people.models import User as UserModel

    now = now or timezone.now()
    held = Delivery.objects.filter(status=Delivery.Status.HELD)
    user_ids = set(held.values_list("notification__recipient_id", flat=True).distinct())
    built = 0
    users = UserModel.objects.filter(pk__in=user_ids).select_related("organization")
    for user in users:
        if user.organization is None:
            continue
        choices = preferences_for(user=user)
        mode = choices.digest
        if mode == DigestMode.OFF:  # switched off meanwhile: send what waited, now
            mode = DigestMode.DAILY
        start = _period_start(mode, now.astimezone(_zone(user, user.organization)))
        if start is None:
            continue
        if _digest_build_one(user=user, mode=mode, start=start, choices=choices, now=now):
            built += 1
    return built


def _digest_build_one(
    *, user: User, mode: str, start: date, choices: Choices, now: datetime
) -> bool:
    from chorus.notifications.channels import external_text, recipient_language

    organization = user.org
    with transaction.atomic(), translation.override(recipient_language(user, organization)):
        try:
            with transaction.atomic():
                digest = Digest.objects.create(
                    organization=organization, recipient=user, period=mode, period_start=start
                )
        except IntegrityError:
            return False
        items = list(
            Delivery.objects.select_for_update()
            .select_related("notification", "notification__organization")
            .filter(status=Delivery.Status.HELD, notification__recipient=user)
            .order_by("notification__created_at", "pk")
        )
        if not items:
            digest.delete()
            return False
        lines: list[str] = []
        seen: set[int] = set()
        for item in items:
            if item.notification_id in seen:
                continue
            seen.add(item.notification_id)
            title, _ = external_text(item)
            url = f"{settings.SITE_URL}{item.notification.link}" if item.notification.link else ""
            lines.append(f"• {title}" + (f"\n  {url}" if url else ""))
        count = len(seen)
        if mode == DigestMode.DAILY:
            title = ngettext("Your daily Chorus digest: %(count)s update",
                             "Your daily Chorus digest: %(count)s updates", count)
        else:
            title = ngettext("Your weekly Chorus digest: %(count)s update",
                             "Your weekly Chorus digest: %(count)s updates", count)
        notification = Notification.objects.create(
            organization=organization, recipient=user, kind=DIGEST_KIND,
            title=title % {"count": count},
            body="\n".join(lines), link="/notifications/",
            dedupe_key=f"digest:{mode}:{start.isoformat()}", read_at=now,
        )  # fmt: skip
        channels = list(dict.fromkeys(item.channel for item in items))
        Delivery.objects.filter(pk__in=[i.pk for i in items]).update(
            status=Delivery.Status.DIGESTED, digest=digest, updated_at=now
        )
        digest.notification, digest.items = notification, count
        digest.save(update_fields=["notification", "items", "updated_at"])
        queued = _queue_deliveries_bulk(
            notifications=[notification], spec=get_kind(DIGEST_KIND), organization=organization,
            choices_of=lambda _user: choices, now=now, channels=channels,
        )  # fmt: skip
        if queued:
            transaction.on_commit(partial(_enqueue_deliveries, queued))
    return True


def delivery_log_for(*, user: User, status: str = "", channel: str = "") -> Any:
    """The organization's deliveries, newest first, for the admin delivery log."""
    rows = (
        Delivery.objects.filter(organization_id=user.org_id)
        .select_related("notification", "notification__recipient")
        .order_by("-created_at", "-pk")
    )
    if status:
        rows = rows.filter(status=status)
    if channel:
        rows = rows.filter(channel=channel)
    return rows
