"""Quiet periods and crisis mode: temporary postures that tighten screening and sharing.

Nothing here edits the policy, the content hub or the report settings: each posture is read
where it applies (screening context, the hub, report routing). So turning crisis mode off, or
a quiet period ending, restores the exact prior state by construction; `CrisisChange` rows
and the audit trail record every switch.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from chorus.common.models import OrgOwnedModel


class QuietPeriod(OrgOwnedModel):
    """A window (earnings blackout, M&A, a launch embargo) during which any mention of the
    listed terms is screened at `severity` (critical blocks under every preset)."""

    class Kind(models.TextChoices):
        EARNINGS = "earnings", _("Earnings blackout")
        MNA = "mna", "M&A"
        EMBARGO = "embargo", _("Launch embargo")
        OTHER = "other", _("Other")

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OTHER)
    reason = models.CharField(max_length=500,
                              help_text=_("Shown to employees: why posting is restricted."))
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    terms = models.JSONField(default=list)
    severity = models.CharField(max_length=10, default="critical")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="quietperiod_ends_after_start"),
        ]
        indexes = [models.Index(fields=["organization", "ends_at"])]

    def __str__(self) -> str:
        return self.name


class CrisisMode(OrgOwnedModel):
    """The organization's crisis switch (one row per organization).

    `requested_*` is the first step of turning it on; `active_since` is set only by the
    second confirmation. While active: scheduled advocacy content and share buttons pause,
    the `terms` block in screening, employees see the holding statement and contact, and new
    reports mentioning the terms go to the crisis queue with `sla_hours`."""

    topic = models.CharField(max_length=200, blank=True)
    terms = models.JSONField(default=list, blank=True)
    holding_statement = models.TextField(blank=True)
    contact = models.CharField(max_length=300, blank=True)
    sla_hours = models.PositiveSmallIntegerField(default=2)
    response_team = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                           related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    requested_at = models.DateTimeField(null=True, blank=True)
    confirm_code = models.CharField(max_length=12, blank=True)
    active_since = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="crisismode_one_per_org"),
            models.CheckConstraint(condition=Q(sla_hours__gte=1), name="crisismode_sla_positive"),
        ]

    def __str__(self) -> str:
        return f"Crisis mode ({'on' if self.active_since else 'off'}) {self.organization_id}"

    @property
    def is_active(self) -> bool:
        return self.active_since is not None


class CrisisChange(OrgOwnedModel):
    """Append-only history of the crisis switch: who, what, when, and the settings then."""

    class Action(models.TextChoices):
        REQUESTED = "requested", _("Asked to turn on")
        ON = "on", _("Turned on")
        CANCELLED = "cancelled", _("Request cancelled")
        OFF = "off", _("Turned off")

    crisis = models.ForeignKey(CrisisMode, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="+")
    action = models.CharField(max_length=12, choices=Action.choices)
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} at {self.created_at}"


class CrisisReport(OrgOwnedModel):
    """A report routed to the crisis queue while crisis mode was on (report id, so the apps
    stay independently migratable)."""

    crisis = models.ForeignKey(CrisisMode, on_delete=models.CASCADE, related_name="reports")
    report_id = models.BigIntegerField()
    crisis_started = models.DateTimeField()
    matched = models.CharField(max_length=200)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["report_id"], name="crisisreport_once")
        ]

    def __str__(self) -> str:
        return f"Crisis report {self.report_id}"
