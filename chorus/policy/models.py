"""Policies and their versions: draft → published → retired.

A `PolicyVersion.document` is the whole policy as a dict in the canonical form of
`chorus.screening.policy.Policy.to_dict()` (one schema for authoring, YAML and screening).
Publishing freezes a version: services refuse edits to published or retired versions, and
`content_hash` (SHA-256 of the canonical JSON) lets anyone verify it was not changed since.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from chorus.common.models import OrgOwnedModel


def canonical_json(document: dict[str, Any]) -> bytes:
    """The bytes the content hash covers: sorted keys, no whitespace, UTF-8."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def document_hash(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(document)).hexdigest()


class Policy(OrgOwnedModel):
    """A named policy (for example "Social media policy") with its versions."""

    title = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["title", "pk"]
        verbose_name_plural = "policies"

    def __str__(self) -> str:
        return self.title


class PolicyVersion(OrgOwnedModel):
    """One version of a policy. Drafts are edited with optimistic locking (`lock_version`);
    a published version is immutable and carries its content hash. At most one version per
    organization is published at a time (the policy in force)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    document = models.JSONField()
    content_hash = models.CharField(max_length=64, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    material = models.BooleanField(
        default=True, help_text="Material changes require employees to acknowledge again."
    )
    change_summary = models.TextField(blank=True)
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="derived"
    )
    origin = models.CharField(
        max_length=80, blank=True, help_text="preset:balanced, version:3, import"
    )
    lock_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["policy_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "number"], name="policyversion_number_unique"
            ),
            # The policy in force is unambiguous: one published version per organization.
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(status="published"),
                name="policyversion_one_published_per_org",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(published_at__isnull=False) & ~Q(content_hash="")),
                name="policyversion_frozen_has_hash",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"{self.policy.title} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def title(self) -> str:
        return str(self.document.get("title") or self.policy.title)

    def hash_matches(self) -> bool:
        """True if the stored document still has the hash recorded at publication."""
        return bool(self.content_hash) and document_hash(self.document) == self.content_hash

    def plain_text(self) -> str:
        """The exact text employees read (title, sections and enabled rules), as plain text.

        The published page renders the same outline, so this is what attestation stores as
        evidence of what was acknowledged.
        """
        from chorus.policy.documents import document_plain_text

        return document_plain_text(self.document)


ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    PolicyVersion.Status.DRAFT: {PolicyVersion.Status.PUBLISHED},
    PolicyVersion.Status.PUBLISHED: {PolicyVersion.Status.RETIRED},
    PolicyVersion.Status.RETIRED: set(),
}


class PolicyVersionEvent(models.Model):
    """One status change of a version: who, from, to, why. The version's timeline."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.version}: {self.from_status or 'new'} → {self.to_status}"


class PolicyLintSettings(OrgOwnedModel):
    """Per-organization switches for the policy lints: ids in `disabled` never run."""

    disabled = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="policylintsettings_one_per_org")
        ]
        verbose_name_plural = "policy lint settings"

    def __str__(self) -> str:
        return f"Lint settings for organization {self.organization_id}"


class PolicyApprovalSettings(OrgOwnedModel):
    """Who must approve a version before it can be published (issue 21, quorum).

    Two ways, which may be combined: `roles` needs one approval from a different person
    holding each listed role ("HR and legal"); `group` with `group_required` needs that many
    approvals from the listed people ("any two of the policy board"). With neither set,
    no approval is needed (the organization's choice, shown on the publish page).
    """

    roles = models.JSONField(default=list, blank=True)
    group = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    group_required = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], name="policyapprovalsettings_one_per_org"
            )
        ]
        verbose_name_plural = "policy approval settings"

    def __str__(self) -> str:
        return f"Approval settings for organization {self.organization_id}"

    @property
    def required(self) -> bool:
        return bool(self.roles) or self.group_required > 0


class PolicyApproval(OrgOwnedModel):
    """One person's approval of a draft's exact content (`content_hash` of the document at
    that moment). An approval counts only while the draft still has that hash: any change
    after it resets it. Rows are kept, so the publish page shows what was approved and when."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="+")
    content_hash = models.CharField(max_length=64)
    as_role = models.CharField(max_length=20, blank=True)
    note = models.CharField(max_length=500, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "approver", "content_hash"],
                name="policyapproval_once_per_hash",
            )
        ]

    def __str__(self) -> str:
        return f"Approval of {self.version_id} by {self.approver_id}"


class ScheduledPublication(OrgOwnedModel):
    """A publication that passed every check and takes effect at `effective_at`.

    The task publishes only if the draft still has `content_hash` (an edit after
    scheduling cancels it, and the author is told why)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE,
                                related_name="schedules")
    effective_at = models.DateTimeField(db_index=True)
    content_hash = models.CharField(max_length=64)
    material = models.BooleanField()
    change_summary = models.TextField(blank=True)
    acknowledge_lint_errors = models.BooleanField(default=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["effective_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version"], condition=Q(status="scheduled"),
                name="scheduledpublication_one_open_per_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.version_id} at {self.effective_at:%Y-%m-%d %H:%M}"


class ImpactPreview(OrgOwnedModel):
    """One replay of the organization's stored screened texts against a draft (`draft_hash`)
    and the version in force (`baseline`), run by the worker. `result` holds counts per rule
    and category, verdict changes, people affected and samples (the page redacts them for
    viewers who may not see a source)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="previews")
    baseline = models.ForeignKey(PolicyVersion, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+")
    draft_hash = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Impact preview {self.pk} of {self.version_id}"

    @property
    def progress(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.processed * 100 / self.total) if self.total else 0

    @property
    def is_current(self) -> bool:
        return self.draft_hash == document_hash(self.version.document)
