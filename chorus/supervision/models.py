"""The supervision queue's records: settings, reviewer decisions, the labelled examples they
become, and the organization's learned screening models (versions, retraining runs).

A decision is made once per item (a screened monitored post, or a draft an employee submitted
for review); it becomes one `LabelledExample` the organization's heads are retrained on. An
example is held back from training when the CRC-32 of its source key is divisible by 5, so the
same decisions always evaluate a new model (deterministic split).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from chorus.common.models import OrgOwnedModel


class SupervisionSettings(OrgOwnedModel):
    """One row per organization: the share of allowed posts sampled into the queue."""

    sample_percent = models.PositiveSmallIntegerField(
        default=5, help_text="Percent of allowed monitored posts sampled for review (0-100)."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="supervision_settings_one"),
            models.CheckConstraint(
                condition=Q(sample_percent__lte=100), name="supervision_sample_percent_le_100"
            ),
        ]
        permissions = [("supervise", "Review the supervision queue")]
        verbose_name_plural = "supervision settings"

    def __str__(self) -> str:
        return f"Supervision settings of {self.organization_id}"


class Source(models.TextChoices):
    MONITORING = "monitoring", "Monitored post"
    REVIEW = "review", "Draft submitted for review"


class Decision(OrgOwnedModel):
    """A supervisor's decision on one queue item, with the reason. Made once per item."""

    class Kind(models.TextChoices):
        ACCEPT = "accept", "Accept (the findings are right)"
        DISMISS = "dismiss", "Dismiss (nothing wrong)"
        RELABEL = "relabel", "Relabel (other categories)"

    source = models.CharField(max_length=20, choices=Source.choices)
    source_id = models.PositiveBigIntegerField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Kind.choices)
    flagged = models.JSONField(default=list, help_text="Categories the engine found.")
    categories = models.JSONField(default=list, help_text="Categories after the decision.")
    reason = models.TextField(blank=True)
    protected = models.BooleanField(default=False)
    sampled = models.BooleanField(default=False, help_text="Came from the random sample.")
    risk = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "source", "source_id"],
                name="supervision_decision_once_per_item",
            ),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.decision} {self.source}:{self.source_id}"


class LabelledExample(OrgOwnedModel):
    """An organization-specific training example made from a reviewer's decision."""

    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="example")
    text = models.TextField()
    language = models.CharField(max_length=12, blank=True)
    categories = models.JSONField(default=list)
    protected = models.BooleanField(default=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    held_back = models.BooleanField(default=False, help_text="Evaluation only, never trained on.")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"example {self.pk} {self.categories}"


class HeadsVersion(OrgOwnedModel):
    """One learned model of an organization (the `.npz` bytes in the database, so backups and
    organization export carry it). At most one is active; rollback activates the previous."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"
        REJECTED = "rejected", "Not activated (worse)"

    number = models.PositiveIntegerField()
    version = models.CharField(max_length=60)
    data = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status.choices)
    report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="supervision_heads_number_unique"
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(status="active"),
                name="supervision_heads_one_active",
            ),
        ]
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"heads v{self.number} ({self.status})"


class RetrainRun(OrgOwnedModel):
    """One retraining started from the admin page or `chorus screening retrain`."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        RUNNING = "running", "Training"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    heads = models.ForeignKey(
        HeadsVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    activated = models.BooleanField(default=False)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"retrain {self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
