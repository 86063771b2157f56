"""Review requests: the only time a draft post is stored.

The "check my post" page screens text without storing it. When an employee explicitly asks
communications or legal to look at a draft, the text and the engine's result at that moment
are kept here so the reviewer sees exactly what the employee saw.
"""

from __future__ import annotations

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
