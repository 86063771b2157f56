"""Consent-based monitoring: linked accounts, their consent record, ingested posts, alerts.

Only accounts whose owner gave explicit, specific consent are read; only posts published after
that consent are stored; revoking stops reading at once and the stored posts are deleted after
the organization's retention period.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chorus.common.models import OrgOwnedModel, TimeStampedModel


class Network(models.TextChoices):
    MASTODON = "mastodon", _("Mastodon")
    BLUESKY = "bluesky", _("Bluesky")
    RSS = "rss", _("RSS / Atom feed")
    X_ARCHIVE = "x_archive", _("X (Twitter) archive upload")
    LINKEDIN_EXPORT = "linkedin_export", _("LinkedIn export upload")


#: Networks read by uploading a file rather than by polling.
ARCHIVE_NETWORKS = {Network.X_ARCHIVE, Network.LINKEDIN_EXPORT}
SEVERITIES = ("info", "low", "medium", "high", "critical")


class MonitoringSettings(OrgOwnedModel):
    """One row per organization: which networks may be linked, the alert threshold, retention,
    and the records EU organizations need before any monitoring starts (DPIA, works council)."""

    class Threshold(models.TextChoices):
        LOW = "low", _("Low and above")
        MEDIUM = "medium", _("Medium and above")
        HIGH = "high", _("High and above")
        CRITICAL = "critical", _("Critical only")

    enabled_networks = models.JSONField(default=list, blank=True)
    alert_threshold = models.CharField(max_length=10, choices=Threshold.choices,
                                       default=Threshold.MEDIUM)
    retention_days = models.PositiveIntegerField(default=30)
    # Alerts for the same person within `repeat_window_days` that reach the report queue.
    escalate_after = models.PositiveIntegerField(default=3)
    repeat_window_days = models.PositiveIntegerField(default=90)
    dpia_reference = models.CharField(max_length=300, blank=True)
    works_council_reference = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"],
                                    name="monitoring_settings_one_per_org"),
            models.CheckConstraint(condition=Q(retention_days__gte=1, retention_days__lte=365),
                                   name="monitoring_retention_1_365"),
            models.CheckConstraint(condition=Q(escalate_after__gte=1),
                                   name="monitoring_escalate_after_positive"),
        ]
        verbose_name_plural = "monitoring settings"

    def __str__(self) -> str:
        return f"Monitoring settings of {self.organization_id}"


class LinkedAccount(OrgOwnedModel):
    """An employee's public account, read only while consent stands.

    `cursor` is the network's position after the last stored post; it moves in the same
    transaction as the posts it covers, so a crash never skips or repeats a post.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for proof of ownership")
        ACTIVE = "active", _("Active")
        NEEDS_ATTENTION = "needs_attention", _("Needs attention")
        REVOKED = "revoked", _("Consent withdrawn")

    class Proof(models.TextChoices):
        PROFILE = "profile", _("Code in the profile")
        POST = "post", _("Code in a public post")
        FEED = "feed", _("Code in the feed")
        UPLOAD = "upload", _("Uploaded by the owner")

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE,
                               related_name="linked_accounts")
    network = models.CharField(max_length=20, choices=Network.choices)
    handle = models.CharField(max_length=300)
    instance = models.CharField(max_length=300, blank=True)
    external_id = models.CharField(max_length=300)
    profile_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    # Proof that the person who consented owns the account. Until `verified_at` is set
    # nothing is read: not polled, not streamed, nothing stored (uploads are proof by upload).
    verification_code = models.CharField(max_length=40, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_method = models.CharField(max_length=20, choices=Proof.choices, blank=True)
    # "Check now" runs in the worker (the network may be slow): set while a check waits or
    # runs; `verify_result` keeps the last check's plain-language outcome when the code was
    # not found or the network failed.
    verify_requested_at = models.DateTimeField(null=True, blank=True)
    verify_result = models.TextField(blank=True)
    consented_at = models.DateTimeField()
    # Posts published before this are never stored (the moment ownership was proven, or for
    # uploads the start date the person chose when consenting).
    read_from = models.DateTimeField()
    consent_version = models.CharField(max_length=20)
    cursor = models.CharField(max_length=300, blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)
    purge_after = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # A link waiting for proof does not block the real owner from linking (anyone can
            # type someone else's handle); only a proven, unrevoked link is exclusive.
            models.UniqueConstraint(
                fields=["network", "external_id"],
                condition=~Q(status__in=["revoked", "pending"]),
                name="linkedaccount_one_live_link_per_account",
            ),
        ]
        indexes = [models.Index(fields=["network", "status"])]
        ordering = ["network", "handle"]

    def __str__(self) -> str:
        return f"{self.get_network_display()} {self.handle}"

    @property
    def is_archive(self) -> bool:
        return self.network in ARCHIVE_NETWORKS

    @property
    def is_readable(self) -> bool:
        return self.status != self.Status.REVOKED

    @property
    def is_monitored(self) -> bool:
        """Read at all: consent stands and ownership is proven."""
        return self.is_readable and self.verified_at is not None


class ConsentRecord(TimeStampedModel):
    """Append-only: one row each time consent is given or withdrawn, with the exact text the
    person saw and its version. Rows are never updated or deleted by the application."""

    class Action(models.TextChoices):
        GRANTED = "granted", _("Consent given")
        REVOKED = "revoked", _("Consent withdrawn")

    organization = models.ForeignKey("people.Organization", on_delete=models.CASCADE,
                                     related_name="+")
    account = models.ForeignKey(LinkedAccount, on_delete=models.PROTECT, related_name="consents")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    version = models.CharField(max_length=20)
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} v{self.version} for {self.account_id}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        # An invariant, not a side effect: a consent record, once written, is evidence.
        if self.pk is not None:
            raise ValueError("Consent records are append-only.")
        super().save(*args, **kwargs)


class IngestedPost(OrgOwnedModel):
    """A public post read from a linked account, stored once per (network, external id)."""

    class Verdict(models.TextChoices):
        ALLOW = "allow", _("Allow")
        WARN = "warn", _("Warn")
        BLOCK = "block", _("Block")

    account = models.ForeignKey(LinkedAccount, on_delete=models.CASCADE, related_name="posts")
    network = models.CharField(max_length=20, choices=Network.choices)
    external_id = models.CharField(max_length=300)
    url = models.URLField(max_length=500, blank=True)
    text = models.TextField()
    published_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    verdict = models.CharField(max_length=10, choices=Verdict.choices, default=Verdict.ALLOW)
    findings = models.JSONField(default=list, blank=True)
    protected_activity = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["network", "external_id"],
                                    name="ingestedpost_once_per_network_id"),
        ]
        indexes = [models.Index(fields=["account", "-published_at"])]
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return f"{self.network}:{self.external_id}"


class ArchiveImport(OrgOwnedModel):
    """One export file a person uploaded for their upload-type account. The worker
    (``archive_import_task``) unpacks and reads it, updating ``progress`` as it goes; the
    stored file is deleted once read, whatever the outcome. At most one import per account is
    queued or running at a time."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    account = models.ForeignKey(LinkedAccount, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                    related_name="+")
    file = models.FileField(upload_to="monitoring/imports/%Y/%m/", blank=True, max_length=300)
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Percent done."))
    stage = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account"], condition=Q(status__in=["queued", "running"]),
                name="archiveimport_one_active_per_account",
            ),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def summary(self) -> str:
        """What a finished import did, e.g. "2 new posts imported; 1 reposts ignored."."""
        r = self.result or {}
        parts = [f"{r.get('created', 0)} new posts imported"]
        if r.get("updated"):
            parts.append(f"{r['updated']} updated")
        if r.get("unchanged"):
            parts.append(f"{r['unchanged']} already imported")
        if r.get("skipped_before_consent"):
            parts.append(f"{r['skipped_before_consent']} older than your start date ignored")
        if r.get("skipped_reposts"):
            parts.append(f"{r['skipped_reposts']} reposts ignored")
        return "; ".join(parts) + "."


class MonitoringAlert(OrgOwnedModel):
    """A finding at or above the organization's threshold on an employee's post.

    The employee is told first (coaching). Only critical or repeated findings reach the report
    queue (`report_id`). Protected activity never creates an alert.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    post = models.OneToOneField(IngestedPost, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="alert")
    account = models.ForeignKey(LinkedAccount, on_delete=models.CASCADE, related_name="alerts")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE,
                               related_name="monitoring_alerts")
    severity = models.CharField(max_length=10)
    categories = models.JSONField(default=list)
    findings = models.JSONField(default=list)
    post_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    resolution = models.CharField(max_length=200, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_reason = models.CharField(max_length=200, blank=True)
    report_id = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["person", "-created_at"])]

    def __str__(self) -> str:
        return f"Alert {self.pk} ({self.severity}) for {self.person_id}"


class StreamCursor(TimeStampedModel):
    """Where a real-time stream (e.g. Jetstream) stopped; saved with the events it covers."""

    name = models.CharField(max_length=60, unique=True)
    position = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}@{self.position}"


class PostImage(OrgOwnedModel):
    """An image attached to a monitored post, its text read by OCR in the worker
    (``post_image_ocr_task``) and screened like the post. Findings carry the word boxes of
    the image region (``regions``, per finding); the picture itself is not kept, only where it
    was (``url``) and what it said."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        DONE = "done", "Read"
        FAILED = "failed", "Could not be read"

    post = models.ForeignKey(IngestedPost, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField(default=0)
    url = models.URLField(max_length=1000)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    sha256 = models.CharField(max_length=64, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    text = models.TextField(blank=True)
    words = models.JSONField(default=list, blank=True)
    verdict = models.CharField(max_length=10, default="allow")
    findings = models.JSONField(default=list, blank=True)
    regions = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "position"], name="postimage_once_per_slot"),
        ]
        ordering = ["post", "position"]

    def __str__(self) -> str:
        return f"image {self.position} of {self.post_id} ({self.status})"
