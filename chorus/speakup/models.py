"""The speak-up channel: an internal reporting channel to Directive (EU) 2019/1937.

A `Concern` is one report to the channel. Whoever files it, anonymous or not, gets a report key
(only its SHA-256 is kept) and talks with the handlers through `Message` rows on the key page.
The legal clocks (acknowledge within 7 days, feedback within 3 months, Art. 9(1)(b) and (f))
are fixed on the concern when it arrives, from the organization's `ClockRule` for the
concern's jurisdiction or the built-in table `JURISDICTIONS`. A reporter who gives their
identity has it kept sealed: handlers see it only after a named custodian approves an
`IdentityRequest`. Closed concerns are erased on their category's `RetentionRule`, leaving a
`DeletionLog` row that proves what was erased, and when, without keeping any of it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q

from chorus.common.models import OrgOwnedModel


@dataclass(frozen=True)
class ClockDefaults:
    label: str
    ack_days: int
    feedback_days: int
    source: str


# Every transposition we know keeps the Directive's minimums (Art. 9(1)(b): acknowledgment
# within seven days; Art. 9(1)(f): feedback within three months of the acknowledgment, or of the
# end of the seven days when none was sent). 3 months are counted as 91 days so a clock never
# ends before the legal one. Organizations may set shorter clocks (ClockRule), never longer.
JURISDICTIONS: dict[str, ClockDefaults] = {
    "EU": ClockDefaults("European Union (Directive 2019/1937)", 7, 91,
                        "Directive (EU) 2019/1937 Art. 9"),
    "DE": ClockDefaults("Germany (HinSchG)", 7, 91, "HinSchG § 17(1) and (2)"),
    "FR": ClockDefaults("France (Loi Waserman)", 7, 91, "Décret n° 2022-1284, art. 4"),
    "NL": ClockDefaults("Netherlands (Wbk)", 7, 91, "Wet bescherming klokkenluiders, art. 2b"),
    "IE": ClockDefaults("Ireland (Protected Disclosures Act)", 7, 91,
                        "Protected Disclosures (Amendment) Act 2022, s. 6"),
    "ES": ClockDefaults("Spain (Ley 2/2023)", 7, 91, "Ley 2/2023, art. 9.2"),
}
DEFAULT_JURISDICTION = "EU"


class ClockRule(OrgOwnedModel):
    """An organization's clocks for one jurisdiction, and how early handlers are reminded."""

    jurisdiction = models.CharField(max_length=8)
    ack_days = models.PositiveSmallIntegerField(default=7)
    feedback_days = models.PositiveSmallIntegerField(default=91)
    remind_ack_days = models.PositiveSmallIntegerField(
        default=2, help_text="Days before the acknowledgment deadline to remind the handler."
    )
    remind_feedback_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days before the feedback deadline to remind the handler."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "jurisdiction"],
                                    name="clockrule_one_per_jurisdiction"),
            models.CheckConstraint(condition=Q(ack_days__gte=1, ack_days__lte=7),
                                   name="clockrule_ack_within_directive"),
            models.CheckConstraint(condition=Q(feedback_days__gte=1, feedback_days__lte=91),
                                   name="clockrule_feedback_within_directive"),
        ]
        ordering = ["jurisdiction"]

    def __str__(self) -> str:
        return f"{self.jurisdiction}: {self.ack_days} d / {self.feedback_days} d"


class ChannelSettings(OrgOwnedModel):
    """Who works the channel: the handlers (impartial persons, Art. 9(1)(c)), the lead who
    gets escalations, and the named identity custodians."""

    handlers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    custodians = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    default_jurisdiction = models.CharField(max_length=8, default=DEFAULT_JURISDICTION)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"],
                                               name="channelsettings_one_per_org")]

    def __str__(self) -> str:
        return f"Speak-up channel of {self.organization_id}"


class IntakeForm(OrgOwnedModel):
    """A report category and its questions. Each change publishes a new `IntakeFormVersion`;
    concerns point at the version they were filed with, so old reports keep their questions."""

    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key"],
                                               name="intakeform_key_unique")]
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label

    @property
    def current(self) -> IntakeFormVersion | None:
        return self.versions.order_by("-number").first()


class IntakeFormVersion(OrgOwnedModel):
    """One published version of a form's questions; never edited. `questions` is a list of
    {key, label, type (text|textarea|choice|yesno|date), required, choices, show_if}."""

    form = models.ForeignKey(IntakeForm, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    questions = models.JSONField(default=list)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form", "number"],
                                               name="intakeformversion_number_unique")]
        ordering = ["form", "-number"]

    def __str__(self) -> str:
        return f"{self.form} v{self.number}"


class RetentionRule(OrgOwnedModel):
    """Days a closed concern of one category (empty: every other category) is kept."""

    category = models.CharField(max_length=40, blank=True)
    days_after_close = models.PositiveIntegerField(default=3 * 365)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "category"],
                                               name="retentionrule_one_per_category")]
        ordering = ["category"]

    def __str__(self) -> str:
        return f"{self.category or 'default'}: {self.days_after_close} days"


class Concern(OrgOwnedModel):
    """One report to the speak-up channel. Status changes and clock stops go through
    `chorus.speakup.services` only; each writes a `ConcernEvent` and an audit entry."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        FEEDBACK_GIVEN = "feedback_given", "Feedback given"
        CLOSED = "closed", "Closed"

    form_version = models.ForeignKey(IntakeFormVersion, on_delete=models.PROTECT,
                                     related_name="concerns")
    category = models.CharField(max_length=40)
    category_label = models.CharField(max_length=120)
    description = models.TextField()
    answers = models.JSONField(default=dict, blank=True)
    people_named = models.TextField(blank=True, help_text="People the reporter names.")
    jurisdiction = models.CharField(max_length=8, default=DEFAULT_JURISDICTION)
    key_hash = models.CharField(max_length=64, unique=True)
    # Optional, chosen by the reporter; only ever used to say "there is an update", never shown
    # to staff.
    contact_email = models.EmailField(blank=True)
    # Sealed: shown to handlers only after a custodian approved an IdentityRequest.
    identity = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField()
    ack_due_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    feedback_due_at = models.DateTimeField()
    feedback_at = models.DateTimeField(null=True, blank=True)
    feedback_text = models.TextField(blank=True)
    remind_ack_days = models.PositiveSmallIntegerField(default=2)
    remind_feedback_days = models.PositiveSmallIntegerField(default=14)
    ack_reminded_at = models.DateTimeField(null=True, blank=True)
    ack_escalated_at = models.DateTimeField(null=True, blank=True)
    feedback_reminded_at = models.DateTimeField(null=True, blank=True)
    feedback_escalated_at = models.DateTimeField(null=True, blank=True)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    # Named in the report or declared a conflict: never see or handle it.
    excluded_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    incident_ref = models.CharField(max_length=64, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    contact_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "status", "ack_due_at"]),
                   models.Index(fields=["organization", "status", "feedback_due_at"])]
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.category_label}"

    @property
    def reference(self) -> str:
        return f"SU-{self.pk:05d}" if self.pk else "SU-new"

    @property
    def has_identity(self) -> bool:
        return bool(self.identity)

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class ConcernEvent(OrgOwnedModel):
    """The concern's history as staff see it (who, what, when, why). Never edited."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    kind = models.CharField(max_length=30)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.concern_id}"

    @property
    def label(self) -> str:
        return self.kind.replace("_", " ").capitalize()


class Message(OrgOwnedModel):
    """One message of the two-way conversation between the reporter and the handlers."""

    class Author(models.TextChoices):
        REPORTER = "reporter", "Reporter"
        STAFF = "staff", "Handler"

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(max_length=10, choices=Author.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    body = models.TextField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author_kind} message on {self.concern_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # A random name: the original one may carry the reporter's name.
    return f"speakup/{instance.organization_id}/{uuid.uuid4().hex}.{instance.extension}"


class Attachment(OrgOwnedModel):
    """A file the reporter or a handler added to a message, stored after its metadata was
    removed (EXIF and other image metadata; PDF document information and XMP). `sha256` is the
    stored file's."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    mime = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    stripped = models.CharField(max_length=200, blank=True)

    EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif",
                  "image/webp": "webp", "application/pdf": "pdf", "text/plain": "txt"}

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"attachment {self.pk} ({self.sha256[:12]})"

    @property
    def extension(self) -> str:
        return self.EXTENSIONS.get(self.mime, "bin")

    @property
    def display_name(self) -> str:
        return f"attachment-{self.pk}.{self.extension}"


class IdentityRequest(OrgOwnedModel):
    """A handler's justified request to see a reporter's sealed identity, decided by a named
    custodian who is neither the requester nor excluded from the concern."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the custodian"
        APPROVED = "approved", "Approved: identity disclosed"
        REFUSED = "refused", "Refused"

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="identity_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    custodian = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    justification = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    reporter_told = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"identity request {self.pk} on {self.concern_id}"


class Redaction(OrgOwnedModel):
    """A permanent redaction: the text is gone from the concern or message; only where it was,
    how long it was, who removed it and why are kept."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="redactions")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="redactions")
    where = models.CharField(max_length=60)
    removed_chars = models.PositiveIntegerField()
    reason = models.CharField(max_length=300)
    redacted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"redaction {self.pk} on {self.concern_id}"


class DeletionLog(OrgOwnedModel):
    """Proof of an erasure under the retention schedule: what was erased (counts, the SHA-256
    of the erased content and of each file) and when, never the content itself. `key_hash`
    lets the key page tell a reporter their report was erased instead of "no such key"."""

    reference = models.CharField(max_length=20)
    category = models.CharField(max_length=40)
    received_on = models.DateField()
    closed_at = models.DateTimeField()
    erased_at = models.DateTimeField()
    retention_days = models.PositiveIntegerField()
    key_hash = models.CharField(max_length=64, db_index=True)
    content_sha256 = models.CharField(max_length=64)
    erased = models.JSONField(default=dict)

    class Meta:
        ordering = ["-erased_at"]

    def __str__(self) -> str:
        return f"{self.reference} erased {self.erased_at:%Y-%m-%d}"
