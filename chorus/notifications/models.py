"""A notification for one person, and its delivery on each channel."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chorus.common.models import OrgOwnedModel


class Notification(OrgOwnedModel):
    """What one person was told. The in-app notification center lists these rows."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=80)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True, help_text=_("A path inside Chorus."))
    # Same key for the same (recipient, event): notify() does not create a second row.
    dedupe_key = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notif_unique_dedupe",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}: {self.title}"


class Delivery(OrgOwnedModel):
    """One notification on one external channel, with its outcome. Idempotent per pair."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        RETRYING = "retrying", _("Waiting to retry")
        HELD = "held", _("Held for the digest")
        DIGESTED = "digested", _("Sent in a digest")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    FINAL = (Status.SENT, Status.SKIPPED, Status.FAILED, Status.DIGESTED)

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=30)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Not before this time: the end of the person's quiet hours, or the next retry (backoff).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        "Digest", on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    # The batch run that claimed this delivery (a random token): one conditional UPDATE claims
    # a whole batch, and only the run holding the token sends those rows.
    claim = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_unique")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.channel}: {self.status}"


class DeliveryAttempt(OrgOwnedModel):
    """One try of one delivery: the delivery log admins read. Append-only."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=10)  # sent, retrying, failed, skipped
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id}#{self.number}: {self.outcome}"


class DigestMode(models.TextChoices):
    OFF = "off", _("Send each one as it happens")
    DAILY = "daily", _("A daily digest")
    WEEKLY = "weekly", _("A weekly digest (Mondays)")


class NotificationPreference(OrgOwnedModel):
    """One person's choices: channels per kind, quiet hours in their zone, digest mode.

    `channels` maps a kind key to the external channels the person wants it on
    (`{"advocacy.content_published": ["push"]}`); a kind not in the map follows the
    organization's default for the person's roles, then the kind's own default. Mandatory
    kinds always keep their default channels whatever is stored here.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    channels = models.JSONField(default=dict, blank=True)
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    digest = models.CharField(max_length=10, choices=DigestMode.choices, default=DigestMode.OFF)

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"


class RoleDefault(OrgOwnedModel):
    """The organization's default channels per kind for everyone holding `role`."""

    role = models.CharField(max_length=30)
    channels = models.JSONField(default=dict, blank=True)
    digest = models.CharField(max_length=10, choices=DigestMode.choices, default=DigestMode.OFF)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "role"], name="notif_roledefault_unique"
            )
        ]

    def __str__(self) -> str:
        return f"defaults for {self.role}"


class Digest(OrgOwnedModel):
    """One digest per person per period: the unique constraint makes building it idempotent."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_digests"
    )
    period = models.CharField(max_length=10, choices=DigestMode.choices)
    period_start = models.DateField()
    notification = models.ForeignKey(
        Notification, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    items = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "period", "period_start"], name="notif_digest_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} digest {self.period_start} for {self.recipient_id}"


class PushSubscription(OrgOwnedModel):
    """One device's Web Push subscription (endpoint and its keys, from the browser)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=300, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"push device {self.pk} of {self.user_id}"
