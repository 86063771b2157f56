"""Onboarding stages, attestation campaigns and the append-only attestation record.

A `PersonOnboarding` tracks where a new hire is in the hiring pipeline; the policy preset (or
the organization's override in `OnboardingSettings`) decides at which stage the policy is
introduced. A `Campaign` assigns a published policy version to people through `Assignment`
rows; each acknowledgment is an `Attestation`, which is never updated or deleted by the
application (only the retention job purges not-hired candidates, explicitly).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from chorus.common.models import OrgOwnedModel


class Stage(models.TextChoices):
    JOB_POSTING = "job_posting", "Job posting"
    OFFER = "offer", "Offer"
    PRE_BOARDING = "pre_boarding", "Pre-boarding"
    FIRST_DAY = "first_day", "First day"
    FIRST_WEEK = "first_week", "First week"
    ONBOARDED = "onboarded", "Onboarded"


STAGE_ORDER: list[str] = [s.value for s in Stage]

# Forward to any later stage; back one step only, to correct a slip.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    stage: set(STAGE_ORDER[i + 1:]) | ({STAGE_ORDER[i - 1]} if i else set())
    for i, stage in enumerate(STAGE_ORDER)
}

# The stricter the policy, the earlier people meet it (docs: domain research, section d).
PRESET_INTRODUCE_AT: dict[str, str] = {
    "strict": Stage.OFFER,
    "balanced": Stage.PRE_BOARDING,
    "loose": Stage.FIRST_WEEK,
}


def stage_index(stage: str) -> int:
    return STAGE_ORDER.index(stage)


class OnboardingSettings(OrgOwnedModel):
    """Per-organization onboarding choices. Blank `introduce_at` follows the policy preset."""

    class IntroduceAt(models.TextChoices):
        PRESET = "", "Follow the policy preset"
        OFFER = Stage.OFFER.value, "At the offer"
        PRE_BOARDING = Stage.PRE_BOARDING.value, "In pre-boarding"
        FIRST_WEEK = Stage.FIRST_WEEK.value, "In the first week"

    introduce_at = models.CharField(
        max_length=20, choices=IntroduceAt.choices, blank=True, default=""
    )
    default_due_days = models.PositiveSmallIntegerField(default=14)
    reminder_every_days = models.PositiveSmallIntegerField(default=3)
    escalate_after_days = models.PositiveSmallIntegerField(default=7)
    link_valid_days = models.PositiveSmallIntegerField(default=14)
    candidate_retention_days = models.PositiveSmallIntegerField(default=180)
    class DateOrder(models.TextChoices):
        REFUSE = "", "Ask me (refuse dates that could mean either)"
        DMY = "dmy", "Day first: 03/04/2026 is 3 April 2026"
        MDY = "mdy", "Month first: 03/04/2026 is March 4, 2026"

    # How the HR system writes slash dates, for the people import (issue 17).
    import_date_order = models.CharField(
        max_length=3, choices=DateOrder.choices, blank=True, default=""
    )
    job_ad_notice = models.TextField(blank=True, help_text="Blank: use the suggested text.")
    offer_clause = models.TextField(blank=True, help_text="Blank: use the suggested text.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="onboardingsettings_one_per_org"),
            models.CheckConstraint(condition=models.Q(reminder_every_days__gte=1),
                                   name="onboardingsettings_reminder_every_positive"),
            models.CheckConstraint(condition=models.Q(link_valid_days__gte=1),
                                   name="onboardingsettings_link_valid_positive"),
        ]
        verbose_name_plural = "onboarding settings"

    def __str__(self) -> str:
        return f"Onboarding settings of organization {self.organization_id}"


class PersonOnboarding(OrgOwnedModel):
    """Where one new hire or candidate is in the hiring pipeline."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="onboarding"
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.JOB_POSTING)
    stage_changed_at = models.DateTimeField()
    # Set when a candidate is not hired: starts the retention clock for deleting their records.
    not_hired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "stage"])]

    def __str__(self) -> str:
        return f"{self.person} at {self.get_stage_display()}"


class StageChange(models.Model):
    """One move through the pipeline: who moved the person, from where to where, and why."""

    onboarding = models.ForeignKey(PersonOnboarding, on_delete=models.CASCADE,
                                   related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_stage or 'new'} → {self.to_stage}"


class Campaign(OrgOwnedModel):
    """Assigns one published policy version to an audience. A campaign keeps the version it
    was launched with: its completion counts only attestations of that version. When a newer
    version is published, an open campaign is closed as superseded; its pending requests move
    to a follow-up campaign for the new version (`superseded_by`), and a material version
    also opens a re-attestation campaign."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        DEPARTMENT = "department", "A department"
        NEW_HIRES = "new_hires", "New hires, automatically by stage"
        REATTEST = "reattest", "Re-attestation after a material change"

    name = models.CharField(max_length=200)
    version = models.ForeignKey("policy.PolicyVersion", on_delete=models.PROTECT,
                                related_name="+")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    department = models.ForeignKey("people.Department", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    due_days = models.PositiveSmallIntegerField(default=14)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="supersedes")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(audience="department") | models.Q(department__isnull=False),
                name="campaign_department_audience_names_one",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Assignment(OrgOwnedModel):
    """One person asked to acknowledge one version in one campaign."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"
        # A newer version was published before this one was acknowledged: the request moved
        # to the follow-up campaign for that version.
        SUPERSEDED = "superseded", "Moved to a newer version"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE,
                               related_name="attestation_assignments")
    version = models.ForeignKey("policy.PolicyVersion", on_delete=models.PROTECT,
                                related_name="+")
    # For a re-attestation: the version the person acknowledged before (the diff's left side).
    previous_version = models.ForeignKey("policy.PolicyVersion", on_delete=models.PROTECT,
                                         null=True, blank=True, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    assigned_at = models.DateTimeField()
    due_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    # When the reader's browser reported reaching the end of the policy on the attestation
    # page (first time only); copied into the attestation as evidence.
    read_to_end_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"],
                                    name="assignment_one_per_person_per_campaign"),
        ]
        indexes = [models.Index(fields=["organization", "status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.campaign}"

    @property
    def is_reattest(self) -> bool:
        return self.previous_version_id is not None

    def display_status(self, now: Any) -> str:
        """pending | overdue | needs_reattest | done | cancelled | superseded (badge names)."""
        if self.status != self.Status.PENDING:
            return self.status
        if self.is_reattest:
            return "needs_reattest"
        return "overdue" if self.due_at < now else "pending"


STATUS_LABELS = {
    "pending": "Pending",
    "overdue": "Overdue",
    "needs_reattest": "Needs re-attest",
    "done": "Done",
    "cancelled": "Cancelled",
    "superseded": "Moved to a newer version",
}


class AppendOnlyError(RuntimeError):
    pass


class AttestationQuerySet(models.QuerySet["Attestation"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Attestations are append-only evidence.")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("Attestations are append-only evidence.")

    def purge_for_retention(self) -> int:
        """The one deliberate way to delete attestations: the candidate retention job."""
        count, _ = models.QuerySet.delete(self)
        return count


class Attestation(OrgOwnedModel):
    """Evidence that a person received and read one policy version: who, when, which version
    (content hash), the exact text shown, the statement they confirmed and how.

    Never updated or deleted by the application; foreign keys PROTECT so no cascade can
    remove one behind the retention job's back. Names and e-mail are copied as plain values
    so the record still reads correctly if the person record changes later.
    """

    class Channel(models.TextChoices):
        SESSION = "session", "Signed in"
        LINK = "link", "Personal link"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT,
                               related_name="attestations")
    version = models.ForeignKey("policy.PolicyVersion", on_delete=models.PROTECT,
                                related_name="+")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    person_name = models.CharField(max_length=200)
    person_email = models.EmailField()
    policy_title = models.CharField(max_length=300)
    version_number = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=128)
    text_shown = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    statement = models.TextField()
    channel = models.CharField(max_length=20, choices=Channel.choices)
    user_id_at_time = models.BigIntegerField(null=True, blank=True)
    language = models.CharField(max_length=16)
    quiz_correct = models.PositiveSmallIntegerField(null=True, blank=True)
    quiz_total = models.PositiveSmallIntegerField(null=True, blank=True)
    # How we know the person reached the end of the text: "scrolled" (the page saw the end
    # of the document, at `read_to_end_at`) or "stated" (no script: they ticked that they
    # read it to the end). Blank for records made before this was asked.
    read_evidence = models.CharField(max_length=10, blank=True)
    read_to_end_at = models.DateTimeField(null=True, blank=True)
    attested_at = models.DateTimeField()

    objects = AttestationQuerySet.as_manager()

    class Meta:
        ordering = ["-attested_at", "-pk"]
        constraints = [
            # Double submission (two tabs, a double click, a replayed link) writes one record.
            models.UniqueConstraint(fields=["person", "version"],
                                    name="attestation_one_per_person_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.person_name} · v{self.version_number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Attestations are append-only evidence.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Attestations are append-only evidence.")


class AttestationLink(OrgOwnedModel):
    """A signed, expiring, single-use link for one assignment (people without an account).

    The URL carries `pk-nonce` signed with a timestamp; only the nonce is stored, so a leaked
    database row alone cannot be turned into a working link without the secret key.
    """

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="links")
    nonce = models.CharField(max_length=32)
    valid_days = models.PositiveSmallIntegerField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    def __str__(self) -> str:
        return f"link {self.pk} for assignment {self.assignment_id}"


class KnowledgeCheck(OrgOwnedModel):
    """An optional short quiz asked before acknowledging one version."""

    version = models.OneToOneField("policy.PolicyVersion", on_delete=models.CASCADE,
                                   related_name="knowledge_check")
    pass_mark = models.PositiveSmallIntegerField(
        default=2, help_text="Correct answers needed to continue."
    )

    def __str__(self) -> str:
        return f"Knowledge check for version {self.version_id}"


class QuizQuestion(models.Model):
    knowledge_check = models.ForeignKey(KnowledgeCheck, on_delete=models.CASCADE,
                                  related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    prompt = models.CharField(max_length=300)
    choices = models.JSONField(default=list)
    correct = models.PositiveSmallIntegerField(help_text="Index of the right choice, from 0.")
    explanation = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.prompt


class Reminder(OrgOwnedModel):
    """One e-mail about an assignment. `key` is unique, so a rerun of the job sends nothing
    twice: the row is written in the same transaction as the send, before it."""

    class Kind(models.TextChoices):
        INVITE = "invite", "Invitation"
        REMINDER = "reminder", "Reminder"
        ESCALATION = "escalation", "Escalation to manager"
        NUDGE = "nudge", "Nudge from HR"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE,
                                   related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=120, unique=True)
    recipient_email = models.EmailField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.key


class PeopleImport(OrgOwnedModel):
    """An uploaded HR export awaiting confirmation. The content is cleared once applied: the
    people list holds the data from then on, and the summary is what remains as history."""

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    filename = models.CharField(max_length=255)
    content = models.BinaryField(blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename
