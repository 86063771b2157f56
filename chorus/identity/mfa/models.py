"""Second factors of an account, the organization's enforcement rule and factor resets.

Secrets are never stored in the clear: a TOTP seed is encrypted with a key derived from
SECRET_KEY (`chorus.identity.mfa.crypto`), recovery codes are stored as salted SHA-256 digests
and a passkey is only its public key. None of them ever reaches the audit trail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from chorus.common.models import OrgOwnedModel

__all__ = ["Authenticator", "FactorResetRequest", "MfaPolicy", "MfaUserState", "RecoveryCode"]

DEFAULT_REQUIRED_ROLES = ("admin", "hr", "legal")
MAX_GRACE_DAYS = 90


def _default_required_roles() -> list[str]:
    return list(DEFAULT_REQUIRED_ROLES)


class MfaPolicy(OrgOwnedModel):
    """The organization's rule: which roles must use a second factor, and how many days a
    person of such a role may still sign in without one, counted from their first sign-in
    after the rule applies to them. One row per organization, created with the defaults."""

    required_roles = models.JSONField(default=_default_required_roles, blank=True)
    grace_days = models.PositiveSmallIntegerField(default=7)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="mfa_policy_one_per_org"),
            models.CheckConstraint(
                condition=Q(grace_days__lte=MAX_GRACE_DAYS), name="mfa_policy_grace_days_max"
            ),
        ]

    def __str__(self) -> str:
        return f"Two-factor rule of organization {self.organization_id}"


class MfaUserState(OrgOwnedModel):
    """When the grace period of one account started (its first sign-in while the rule
    applied to it without a factor). Cleared when the account enrolls a factor."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mfa_state"
    )
    grace_started_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Two-factor state of {self.user_id}"


class Authenticator(OrgOwnedModel):
    """One second factor of one account: an authenticator app (TOTP) or a passkey (WebAuthn).

    A TOTP device counts only once `confirmed_at` is set (the person typed a code from it).
    `totp_last_counter` is the time step of the last accepted code: a code of that step or
    an earlier one is refused, so a code cannot be replayed inside its window.
    """

    class Kind(models.TextChoices):
        TOTP = "totp", "Authenticator app"
        WEBAUTHN = "webauthn", "Passkey"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authenticators"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=60)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # TOTP: the seed, encrypted (Fernet token), and the last accepted time step.
    totp_secret_encrypted = models.TextField(blank=True)
    totp_last_counter = models.BigIntegerField(null=True, blank=True)
    # WebAuthn: the credential id (base64url), its COSE public key and signature counter.
    credential_id = models.CharField(max_length=1400, blank=True)
    public_key = models.BinaryField(blank=True, default=b"")
    sign_count = models.BigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    aaguid = models.CharField(max_length=36, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["credential_id"],
                condition=~Q(credential_id=""),
                name="mfa_authenticator_credential_unique",
            ),
        ]
        indexes = [models.Index(fields=["user", "kind"], name="mfa_auth_user_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} “{self.name}”"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(OrgOwnedModel):
    """A single-use recovery code, stored as SHA-256 of a random salt and the code."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Recovery code {self.pk} of {self.user_id}"


class FactorResetRequest(OrgOwnedModel):
    """An administrator's request to remove every second factor of a person who lost theirs.

    Nothing happens until a second administrator approves; the requester cannot approve it
    and neither can the person concerned (the database refuses it too). At most one request
    per person is pending at a time, and a pending request expires.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a second administrator"
        APPROVED = "approved", "Approved: factors removed"
        CANCELLED = "cancelled", "Cancelled"

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="factor_resets"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    expires_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject"],
                condition=Q(status="pending"),
                name="mfa_reset_one_pending_per_subject",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | (~Q(decided_by=F("requested_by")) | ~Q(status="approved")),
                name="mfa_reset_not_approved_by_requester",
            ),
        ]

    def __str__(self) -> str:
        return f"Second-factor reset for {self.subject}"
