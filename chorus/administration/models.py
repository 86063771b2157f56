"""Invitations to join an organization, and the installation's one-time setup record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from chorus.common.models import OrgOwnedModel


class Installation(models.Model):
    """The first-run setup, done once per installation.

    The primary key is fixed to 1, so two concurrent setup submissions cannot both succeed:
    the second insert fails inside its transaction and nothing of it is kept.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    initialized_at = models.DateTimeField(default=timezone.now)
    organization = models.ForeignKey(
        "people.Organization", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    method = models.CharField(max_length=20, help_text="wizard or cli")

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="installation_single")]

    def __str__(self) -> str:
        return f"Installed {self.initialized_at:%Y-%m-%d} ({self.method})"


class Invitation(OrgOwnedModel):
    """An invitation to create an account in an organization with the given roles.

    The link carries a signed (invitation id, nonce); only the nonce is stored, and resending
    replaces it, so an older link stops working. An invitation is pending until it is
    accepted, revoked or past `expires_at`; at most one is pending per address and
    organization.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    email = models.EmailField()
    full_name = models.CharField(max_length=200, blank=True)
    roles = models.JSONField(default=list)
    nonce = models.CharField(max_length=32)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveIntegerField(default=0)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=20, default="admin", help_text="admin, import or cli")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            )
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    def status_at(self, now: object | None = None) -> str:
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= (now or timezone.now()):  # type: ignore[operator]
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def status(self) -> str:
        return self.status_at()
