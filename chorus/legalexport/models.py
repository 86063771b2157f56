"""Legal export jobs: a bundle for counsel, built in the background and streamed to disk."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chorus.common.models import OrgOwnedModel


class ExportJob(OrgOwnedModel):
    """One requested bundle: its scope, progress, the file on disk and its digests.
    The manifest's SHA-256 is also recorded in the audit trail, so a bundle verified offline
    can be tied to what Chorus produced."""

    class Scope(models.TextChoices):
        INCIDENT = "incident", _("One case")
        LEGAL_HOLD = "legal_hold", _("Every case under legal hold")
        DATE_RANGE = "date_range", _("Cases and speak-up reports in a date range")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Building")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    scope = models.CharField(max_length=12, choices=Scope.choices)
    incident_id = models.BigIntegerField(null=True, blank=True)
    since = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    path = models.CharField(max_length=300, blank=True)
    size = models.BigIntegerField(default=0)
    documents = models.PositiveIntegerField(default=0)
    bundle_sha256 = models.CharField(max_length=64, blank=True)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.scope}, {self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0

    @property
    def describe_scope(self) -> str:
        if self.scope == self.Scope.INCIDENT:
            return f"Case INC-{self.incident_id}"
        if self.scope == self.Scope.DATE_RANGE:
            return f"{self.since:%d %b %Y} – {self.until:%d %b %Y}"
        return self.get_scope_display()
