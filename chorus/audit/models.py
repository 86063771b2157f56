"""The audit trail: append-only and hash-chained per organization.

Each entry stores the SHA-256 of its own canonical content plus the previous entry's hash, so
editing, deleting or reordering any row breaks the chain from that row on, and
`chorus audit verify` names the first broken entry. Rows are never updated or deleted by the
application: the queryset and model refuse it.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(gettext("Audit entries are append-only."))

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError(gettext("Audit entries are append-only."))


class AuditChain(models.Model):
    """The head of one organization's chain; locked while appending so sequence numbers and
    previous hashes stay consistent when several processes write at once."""

    organization = models.OneToOneField(
        "people.Organization", on_delete=models.CASCADE, related_name="+"
    )
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"chain {self.organization_id} @ {self.last_seq}"


# Actor labels of writes by someone who must stay unidentifiable (the anonymous report channel).
# What staff see of these entries is coarsened to the day, so an exact second cannot be lined
# up against the same person's signed-in activity (issue 17).
ANONYMOUS_ACTOR_LABELS = frozenset({"anonymous reporter"})


class AuditEntry(models.Model):
    # Actor and target are copied as plain values, not foreign keys: deleting a user or an
    # object later must not rewrite (and so break) the history.
    organization = models.ForeignKey(
        "people.Organization", on_delete=models.CASCADE, related_name="+"
    )
    seq = models.BigIntegerField()
    created_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "seq"], name="auditentry_org_seq_unique"
            )
        ]
        ordering = ["organization", "seq"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(gettext("Audit entries are append-only."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(gettext("Audit entries are append-only."))

    @property
    def is_anonymous(self) -> bool:
        """True for an anonymous reporter's write: show only its day, never its time."""
        return self.actor_id is None and self.actor_label in ANONYMOUS_ACTOR_LABELS

class AuditPseudonym(models.Model):
    """Hides a person's name in the audit trail *by reference*, after a data-rights erasure.

    Entries are never rewritten (that would break the hash chain that proves the trail is
    complete); instead each (target_type, target_id) listed here, e.g. ("people.user", "12")
    or ("people.person", "40"), is shown as `label` wherever it is the actor or the target.
    """

    organization = models.ForeignKey(
        "people.Organization", on_delete=models.CASCADE, related_name="+"
    )
    target_type = models.CharField(max_length=100)
    target_id = models.CharField(max_length=64)
    label = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "target_type", "target_id"],
                name="auditpseudonym_one_per_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.target_type}:{self.target_id} → {self.label}"


class ChainVerification(models.Model):
    """One "verify the chain" run asked for on the audit page, done by the worker (issue 13:
    re-hashing 100,000 entries takes seconds, never inside a web request). `checked` moves as
    the worker goes, so the page shows progress; the outcome is kept for the next visit."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey("people.Organization", on_delete=models.CASCADE,
                                     related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    checked = models.PositiveIntegerField(default=0)
    ok = models.BooleanField(null=True)
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"chain verification {self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.checked / self.total)) if self.total else 0
