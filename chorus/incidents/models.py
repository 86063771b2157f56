"""Incidents and the response matrix decided in advance.

A `ResponseMatrix` is versioned like the policy (draft → published → retired); every incident
records the version it was assessed with, so a later change never rewrites how an old case was
judged. An `Incident` carries its evidence (hashed, never edited), the gates a decision must
pass, the suggestion the matrix made and the decision a human recorded. Every change is an
`IncidentEvent` row (who, what, when, why): the timeline reads those rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from chorus.common.models import OrgOwnedModel


class Severity(models.TextChoices):
    """Confirmed, non-protected severity after the gates (research c.2, S0..S4)."""

    NONE = "none", "None (guidance)"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class History(models.TextChoices):
    """Active, documented prior violations within the matrix's look-back window."""

    FIRST = "first", "First occurrence"
    SECOND = "second", "Second (one active prior)"
    REPEATED = "repeated", "Repeated (two or more priors)"


class Response(models.TextChoices):
    """The response ladder, mildest first. Termination is only ever a *review* by humans."""

    COACHING = "coaching", "Coaching conversation"
    REMINDER = "reminder", "Documented reminder"
    WRITTEN_WARNING = "written_warning", "Written warning"
    FINAL_WARNING = "final_warning", "Final warning"
    TERMINATION_REVIEW = "termination_review", "Termination review"


RESPONSE_LADDER: list[str] = list(Response.values)


class Outcome(models.TextChoices):
    """What a human decided: a rung of the ladder, or no action at all."""

    NO_ACTION = "no_action", "No action"
    COACHING = "coaching", "Coaching conversation"
    REMINDER = "reminder", "Documented reminder"
    WRITTEN_WARNING = "written_warning", "Written warning"
    FINAL_WARNING = "final_warning", "Final warning"
    TERMINATION_REVIEW = "termination_review", "Termination review"


#: The four modifiers of research c.3; each moves the default by -1, 0 or +1.
MODIFIERS: dict[str, dict[str, str]] = {
    "intent": {
        "label": "Intent",
        "up": "Deliberate or malicious; repeated after a request to remove",
        "down": "Impulsive, provoked or clearly jocular",
    },
    "reach": {
        "label": "Reach",
        "up": "Wide reach, media pickup, or the employer is identifiable",
        "down": "Tiny audience, removed promptly",
    },
    "remorse": {
        "label": "Remorse",
        "up": "Concealment or deception",
        "down": "Prompt deletion and candor",
    },
    "role": {
        "label": "Role",
        "up": "Manager, spokesperson or regulated role",
        "down": "Long clean tenure, unclear policy or no training",
    },
}


class ResponseMatrix(OrgOwnedModel):
    """One version of an organization's response matrix and incident-handling settings.

    `cells` maps severity → history → response, covering every combination. Published versions
    are never edited: a change is a new draft derived from the current one.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    name = models.CharField(max_length=120, default="Response matrix")
    preset = models.CharField(max_length=20, blank=True)
    cells = models.JSONField()
    window_months = models.PositiveSmallIntegerField(
        default=24, help_text="Look-back window for prior violations."
    )
    response_days = models.PositiveSmallIntegerField(
        default=5, help_text="Days the employee has to respond before a decision may be recorded."
    )
    retention_days = models.PositiveIntegerField(
        default=365, help_text="Days evidence is kept after an incident closes (unless on hold)."
    )
    appeal_days = models.PositiveSmallIntegerField(
        default=10, help_text="Days after a decision during which the employee may appeal."
    )
    change_summary = models.CharField(max_length=300, blank=True)
    previous = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"],
                                    name="responsematrix_number_unique_per_org"),
            # At most one draft per organization: everyone edits the same proposal.
            models.UniqueConstraint(fields=["organization"], condition=models.Q(status="draft"),
                                    name="responsematrix_one_draft_per_org"),
        ]
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.name} v{self.number} ({self.get_status_display().lower()})"

    def response_for(self, severity: str, history: str) -> str:
        return self.cells[severity][history]


class Incident(OrgOwnedModel):
    """A case about one person's conduct, from a report, a monitoring finding or HR directly.

    The source is stored as (`source`, `source_ref`) values, never a foreign key, so the apps
    stay independently migratable. Discipline only happens through `incident_decide`, which a
    human calls after every gate passed; nothing here acts on its own.
    """

    class Source(models.TextChoices):
        REPORT = "report", "Report"
        SPEAKUP = "speakup", "Speak-up report"
        MONITORING = "monitoring", "Monitoring finding"
        MANUAL = "manual", "Opened by HR"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_REVIEW = "in_review", "In review"
        DECIDED = "decided", "Decided"
        CLOSED = "closed", "Closed"

    class Screen(models.TextChoices):
        NOT_RUN = "not_run", "Not run"
        CLEAR = "clear", "No protected-activity signal"
        FLAGGED = "flagged", "Protected-activity signal"
        UNAVAILABLE = "unavailable", "Engine unavailable"

    # Empty only while a report that names nobody is triaged; the facts gate requires it.
    subject = models.ForeignKey("people.Person", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    source = models.CharField(max_length=12, choices=Source.choices)
    source_ref = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    category = models.CharField(max_length=40, blank=True)
    rule_ids = models.JSONField(default=list, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField()

    # Gate: facts established (authorship, lawful access, what happened).
    facts_established_at = models.DateTimeField(null=True, blank=True)
    facts_established_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                             null=True, blank=True, related_name="+")
    facts_note = models.TextField(blank=True)

    # Gate: protected-activity screen (engine signal + the reviewer's checklist).
    screen_signal = models.CharField(max_length=12, choices=Screen.choices,
                                     default=Screen.NOT_RUN)
    screen_checklist = models.JSONField(default=dict, blank=True)
    screen_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                           null=True, blank=True, related_name="+")
    screen_reviewed_at = models.DateTimeField(null=True, blank=True)

    # Gate: the employee was told and could respond.
    notified_at = models.DateTimeField(null=True, blank=True)
    notice_text = models.TextField(blank=True)
    response_due_at = models.DateTimeField(null=True, blank=True)
    employee_response = models.TextField(blank=True)
    # What the employee asked for with their response (issue 17): a meeting, and who should
    # accompany them (a representative or colleague). HR sees both on the incident page.
    response_meeting_requested = models.BooleanField(default=False)
    response_representative = models.CharField(max_length=200, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    # Assessment: the matrix version used and what it suggested.
    matrix = models.ForeignKey(ResponseMatrix, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="incidents")
    severity = models.CharField(max_length=12, choices=Severity.choices, blank=True)
    history = models.CharField(max_length=12, choices=History.choices, blank=True)
    prior_count = models.PositiveSmallIntegerField(default=0)
    modifiers = models.JSONField(default=dict, blank=True)
    suggested_response = models.CharField(max_length=24, choices=Response.choices, blank=True)
    suggestion_explanation = models.JSONField(default=list, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)

    # Decision: always a human, with a justification when it departs from the suggestion.
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True)
    deviated = models.BooleanField(default=False)
    justification = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(blank=True)
    legal_hold = models.BooleanField(default=False)
    legal_hold_reason = models.CharField(max_length=300, blank=True)
    evidence_purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["organization", "status"], name="incident_org_status"),
            models.Index(fields=["organization", "subject", "decided_at"],
                         name="incident_org_subject_decided"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(deviated=True, justification=""),
                name="incident_deviation_needs_justification",
            ),
            # Opening twice from the same report or alert returns the existing incident.
            models.UniqueConstraint(fields=["organization", "source", "source_ref"],
                                    condition=~models.Q(source_ref=""),
                                    name="incident_one_per_source_ref"),
        ]

    def __str__(self) -> str:
        return f"INC-{self.pk}: {self.title}"

    @property
    def reference(self) -> str:
        return f"INC-{self.pk}"

    @property
    def status_badge(self) -> str:
        """The shared CSS badge modifier for this status."""
        return {"open": "info", "in_review": "in_review", "decided": "ok",
                "closed": "closed"}[self.status]

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Incident.Status.OPEN: {Incident.Status.IN_REVIEW, Incident.Status.CLOSED},
    Incident.Status.IN_REVIEW: {Incident.Status.DECIDED, Incident.Status.CLOSED},
    Incident.Status.DECIDED: {Incident.Status.CLOSED},
    Incident.Status.CLOSED: set(),
}


class Evidence(OrgOwnedModel):
    """One piece of evidence. Its SHA-256 is taken when it is stored and it is never edited;
    the retention purge removes the content but keeps the hash and the metadata."""

    class Kind(models.TextChoices):
        POST = "post", "Post text"
        SCREENSHOT = "screenshot", "Screenshot"
        LINK = "link", "Link"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    network = models.CharField(max_length=40, blank=True)
    file = models.FileField(upload_to="incidents/evidence/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=60, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    note = models.CharField(max_length=300, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+")
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.sha256[:10]})"


class IncidentReview(OrgOwnedModel):
    """A second reviewer's or legal's review. Legal may approve moving the suggestion by more
    than one step (`approves_beyond_one_step`)."""

    class Kind(models.TextChoices):
        SECOND = "second", "Second review"
        LEGAL = "legal", "Legal review"

    class Verdict(models.TextChoices):
        APPROVE = "approve", "Approve proceeding"
        CONCERNS = "concerns", "Concerns: do not proceed"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    note = models.TextField()
    approves_beyond_one_step = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of INC-{self.incident_id} by {self.reviewer}"


class IncidentShare(OrgOwnedModel):
    """HR explicitly shares an incident with a manager; without this row they cannot see it."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "user"], name="incidentshare_unique")
        ]

    def __str__(self) -> str:
        return f"INC-{self.incident_id} shared with {self.user}"


class IncidentEvent(models.Model):
    """One line of an incident's timeline: who did what, when, and why. Never edited."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        EVIDENCE_ADDED = "evidence_added", "Evidence added"
        FACTS_ESTABLISHED = "facts_established", "Facts established"
        SCREENED = "screened", "Protected-activity screen recorded"
        NOTIFIED = "notified", "Employee told and invited to respond"
        RESPONDED = "responded", "Employee responded"
        ASSESSED = "assessed", "Assessed against the matrix"
        REVIEWED = "reviewed", "Reviewed"
        CONTAINMENT = "containment", "Containment"
        SHARED = "shared", "Shared with a manager"
        DECIDED = "decided", "Decision recorded"
        STATUS_CHANGED = "status_changed", "Status changed"
        LEGAL_HOLD = "legal_hold", "Legal hold"
        EVIDENCE_PURGED = "evidence_purged", "Evidence purged"
        APPEALED = "appealed", "Appeal filed"
        APPEAL_ASSIGNED = "appeal_assigned", "Appeal reviewer named"
        APPEAL_DECIDED = "appeal_decided", "Appeal decided"
        INFORMAL = "informal", "Coaching note or informal warning"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                              blank=True, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    summary = models.CharField(max_length=300)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"INC-{self.incident_id} {self.kind}"


class InformalAction(OrgOwnedModel):
    """A coaching note or an informal warning: not a sanction. It never counts as history in
    the response matrix (only decided incidents do) and it lapses at `expires_on`, after which
    it is no longer shown as active."""

    class Kind(models.TextChoices):
        COACHING_NOTE = "coaching_note", "Coaching note"
        INFORMAL_WARNING = "informal_warning", "Informal warning"

    subject = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="informal_actions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.TextField()
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    expires_on = models.DateField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.subject_id} until {self.expires_on}"


class Appeal(OrgOwnedModel):
    """The employee's appeal of a decision, decided by a reviewer who took no part in the case.
    The original decision stays as recorded; the appeal's outcome says what now applies."""

    class Status(models.TextChoices):
        FILED = "filed", "Filed: waiting for a reviewer"
        IN_REVIEW = "in_review", "With the reviewer"
        UPHELD = "upheld", "Upheld: the decision stands"
        VARIED = "varied", "Varied: a different sanction applies"
        OVERTURNED = "overturned", "Overturned: no sanction"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="appeals")
    appellant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    grounds = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.FILED)
    original_outcome = models.CharField(max_length=24, choices=Outcome.choices)
    original_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                            null=True, blank=True, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    reasons = models.TextField(blank=True)
    new_outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["incident"], name="appeal_one_per_incident"),
        ]

    def __str__(self) -> str:
        return f"Appeal of INC-{self.incident_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.FILED, self.Status.IN_REVIEW)

    @property
    def effective_outcome(self) -> str:
        """What applies after the appeal: the original, the varied one, or no action."""
        if self.status == self.Status.OVERTURNED:
            return Outcome.NO_ACTION
        if self.status == self.Status.VARIED and self.new_outcome:
            return self.new_outcome
        return self.original_outcome
