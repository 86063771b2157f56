"""Review requests: the only time a draft post is stored.

The "check my post" page screens text without storing it. When an employee explicitly asks
communications or legal to look at a draft, the text and the engine's result at that moment
are kept here so the reviewer sees exactly what the employee saw.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from chorus.common.models import OrgOwnedModel


class ReviewRequest(OrgOwnedModel):
    class Status(models.TextChoices):
        OPEN = "open", "Waiting for review"
        APPROVED = "approved", "Fine to post"
        CHANGES = "changes", "Changes suggested"
        WITHDRAWN = "withdrawn", "Withdrawn"

    ALLOWED_TRANSITIONS = {
        Status.OPEN: {Status.APPROVED, Status.CHANGES, Status.WITHDRAWN},
        Status.APPROVED: set(),
        Status.CHANGES: set(),
        Status.WITHDRAWN: set(),
    }

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    network = models.CharField(max_length=30, blank=True)
    text = models.TextField()
    result = models.JSONField(help_text="The screening result the employee saw.")
    question = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"Review request #{self.pk}"


def _job_id() -> str:
    return secrets.token_urlsafe(16)


class CheckJob(OrgOwnedModel):
    """A large `POST /api/v1/check` batch screened by the worker instead of the web process.

    The posts are kept only until they are screened (then emptied); the results are kept for
    ``CHECK_JOB_RETENTION_HOURS`` so the client can fetch them from ``result_url``, then the
    row is deleted (``check_jobs_purge_task``). Only the requester sees a job."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    public_id = models.CharField(max_length=32, unique=True, default=_job_id, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    posts = models.JSONField(default=list, blank=True, help_text="Input; emptied once screened.")
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    characters = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["requested_by", "status"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"check job {self.public_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class ImageCheck(OrgOwnedModel):
    """An image uploaded on the check page to read its text (OCR) and screen it.

    Only the cleaned picture is stored (re-encoded PNG: no EXIF, GPS or appended data), for the
    worker and so the person sees the findings drawn on it; like a batch job it is deleted
    after ``CHECK_JOB_RETENTION_HOURS`` (``check_jobs_purge``). Only the uploader sees it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        RUNNING = "running", "Reading"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    file = models.FileField(upload_to="checks/images/%Y/%m/", blank=True, max_length=300)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    language = models.CharField(max_length=10, blank=True)
    network = models.CharField(max_length=30, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    stage = models.CharField(max_length=100, blank=True)
    text = models.TextField(blank=True, help_text="The text read from the image.")
    words = models.JSONField(default=list, blank=True)
    result = models.JSONField(default=dict, blank=True)
    regions = models.JSONField(default=list, blank=True, help_text="Boxes per finding.")
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["requested_by", "status"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"image check {self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
