"""Reports of concerning posts ("eyes and ears"), their routing and their history.

A `Report` is one case per reported post (per organization, per normalized URL, while it is
open); each employee's `Submission` of that post joins it, which is how thirty reports of one
viral post become one case with a count. Anonymous submissions store no reporter identity at
all: only the SHA-256 of the report key handed to the reporter once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from chorus.common.models import OrgOwnedModel


class Category(models.TextChoices):
    # Only what an employer may lawfully ask employees to flag (see docs: no unions, organizing,
    # wages, working conditions or complaints about management).
    HARASSMENT = "harassment", "Harassment of a colleague"
    LEAK = "leak", "Leak of confidential information"
    IMPERSONATION = "impersonation", "Impersonation of the company or an executive"
    CRISIS = "crisis", "Crisis or viral complaint"
    SECURITY = "security", "Security or fraud"
    OTHER = "other", "Other"


# Hours to a decision when the organization has not set its own SLA for a category.
DEFAULT_SLA_HOURS = {
    Category.HARASSMENT: 24,
    Category.LEAK: 8,
    Category.IMPERSONATION: 24,
    Category.CRISIS: 4,
    Category.SECURITY: 4,
    Category.OTHER: 72,
}


class Network(models.TextChoices):
    X = "x", "X (Twitter)"
    BLUESKY = "bluesky", "Bluesky"
    MASTODON = "mastodon", "Mastodon"
    LINKEDIN = "linkedin", "LinkedIn"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    THREADS = "threads", "Threads"
    TIKTOK = "tiktok", "TikTok"
    YOUTUBE = "youtube", "YouTube"
    REDDIT = "reddit", "Reddit"
    GLASSDOOR = "glassdoor", "Glassdoor"
    WEB = "web", "Other website"


class RoutingRule(OrgOwnedModel):
    """Where reports of one category go: a team of users with a lead, and the SLA in hours.

    Overdue reports escalate to the lead. One rule per category per organization.
    """

    category = models.CharField(max_length=20, choices=Category.choices)
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="report_teams", blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report_teams_led",
    )
    sla_hours = models.PositiveIntegerField(default=24)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "category"], name="routingrule_category_unique"
            ),
            models.CheckConstraint(condition=Q(sla_hours__gte=1), name="routingrule_sla_positive"),
        ]
        ordering = ["category"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} → {self.lead or 'team'}"


class Report(OrgOwnedModel):
    """One case about one post. Status changes go through `report_transition` only, which
    writes a `ReportEvent` (who, from, to, why) each time."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        TRIAGING = "triaging", "Triaging"
        ACTIONED = "actioned", "Actioned"
        NO_ACTION = "no_action", "No action"
        CLOSED = "closed", "Closed"

    class Source(models.TextChoices):
        EMPLOYEE = "employee", "Employee report"
        MONITORING = "monitoring", "Monitoring"

    url = models.URLField(max_length=2000, help_text="The link as first reported.")
    url_normalized = models.CharField(max_length=2000)
    network = models.CharField(max_length=20, choices=Network.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.EMPLOYEE)
    subject = models.ForeignKey(
        "people.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The colleague the post is about or by, when known.",
    )
    submission_count = models.PositiveIntegerField(default=1)

    rule = models.ForeignKey(
        RoutingRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_reports",
    )
    # People the report names who sit on the receiving side: they never see or handle it.
    excluded_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    routing_note = models.CharField(max_length=300, blank=True)

    sla_hours = models.PositiveIntegerField(default=24)
    due_at = models.DateTimeField(db_index=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True, help_text="What the reporters are told.")

    # Protected activity (NLRA §7): set from the screening engine's signal.
    screened = models.BooleanField(default=False)
    protected_activity = models.BooleanField(default=False)
    legal_review_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    legal_review_at = models.DateTimeField(null=True, blank=True)
    legal_review_note = models.TextField(blank=True)

    advocacy_requested_at = models.DateTimeField(null=True, blank=True)
    advocacy_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    advocacy_note = models.TextField(blank=True)
    # Incidents refer to reports by value, and so do we: the apps migrate independently.
    incident_ref = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            # At most one open case per post: concurrent reports of one URL merge, never fork.
            models.UniqueConstraint(
                fields=["organization", "url_normalized"],
                condition=~Q(status="closed"),
                name="report_one_open_case_per_url",
            ),
            models.CheckConstraint(
                condition=Q(submission_count__gte=1), name="report_count_positive"
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "due_at"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.get_category_display()}"

    @property
    def reference(self) -> str:
        return f"R-{self.pk:05d}" if self.pk else "R-new"

    @property
    def description(self) -> str:
        """The first report's description (what `incident_open_from_report` copies)."""
        first = self.submissions.order_by("created_at", "pk").first()
        return first.description if first else ""

    @property
    def is_decided(self) -> bool:
        return self.status in (self.Status.ACTIONED, self.Status.NO_ACTION, self.Status.CLOSED)

    @property
    def needs_legal_review(self) -> bool:
        """Protected (or unscreened) reports need a legal review before any discipline."""
        return (self.protected_activity or not self.screened) and self.legal_review_at is None

    def sla_state(self, now: datetime | None = None) -> str:
        """`overdue`, `due_soon` (within a quarter of the SLA, at least an hour), `ok`, or
        `met` once a decision was taken."""
        if self.is_decided:
            return "met"
        now = now or timezone.now()
        if now >= self.due_at:
            return "overdue"
        window = max(timedelta(hours=1), timedelta(hours=self.sla_hours) / 4)
        return "due_soon" if self.due_at - now <= window else "ok"


ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Report.Status.NEW: {Report.Status.TRIAGING},
    Report.Status.TRIAGING: {Report.Status.ACTIONED, Report.Status.NO_ACTION},
    Report.Status.ACTIONED: {Report.Status.CLOSED},
    Report.Status.NO_ACTION: {Report.Status.CLOSED},
    Report.Status.CLOSED: set(),
}


class Submission(OrgOwnedModel):
    """One employee's report of a post. Anonymous: `reporter` is empty and only the SHA-256 of
    the report key is kept, so nobody (not even an administrator) can tell who sent it."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="submissions")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report_submissions",
    )
    anonymous = models.BooleanField(default=False)
    key_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    url = models.URLField(max_length=2000)
    category = models.CharField(max_length=20, choices=Category.choices)
    description = models.TextField()
    post_text = models.TextField(blank=True)
    outcome_notified_at = models.DateTimeField(null=True, blank=True)
    # An anonymous reporter's optional private address, set on the key page (issue 17): told
    # only "there is an update", never shown to staff.
    contact_email = models.EmailField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(reporter__isnull=True, key_hash__isnull=False),
                name="submission_anonymous_has_no_reporter",
            ),
        ]
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{'anonymous' if self.anonymous else self.reporter} on {self.report_id}"


def evidence_path(instance: Evidence, filename: str) -> str:
    # A random name: the original file name may carry a person's name; it is kept in the row.
    import uuid

    ext = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
    return f"reports/{instance.organization_id}/{uuid.uuid4().hex}.{ext.get(instance.mime, 'bin')}"


class Evidence(OrgOwnedModel):
    """A screenshot attached to a submission, with its SHA-256 so it can be shown unchanged.
    Served only through `reports:evidence`, which checks access and audits every view."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    sha256 = models.CharField(max_length=64)
    mime = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.original_name or 'screenshot'} ({self.sha256[:12]})"


class ReportEvent(OrgOwnedModel):
    """The report's history. `public` events are shown to the reporters (their own questions
    and answers only: `submission` scopes a conversation to one reporter)."""

    class Kind(models.TextChoices):
        CREATED = "created", "Reported"
        MERGED = "merged", "Reported again"
        ROUTED = "routed", "Routed"
        STATUS = "status", "Status changed"
        ESCALATED = "escalated", "Escalated (SLA overdue)"
        QUESTION = "question", "Question to the reporter"
        ANSWER = "answer", "Answer from the reporter"
        LEGAL_REVIEW = "legal_review", "Legal review recorded"
        INCIDENT = "incident", "Incident opened"
        ADVOCACY = "advocacy", "Advocacy response requested"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.report_id}"
