"""RFC 3161 timestamps of evidence records (attestations, published policy versions).

A `Timestamp` holds the SHA-256 imprint of the record's canonical bytes
(`subjects.canonical_bytes`) and, once the time-stamping authority answered, its DER
TimeStampResp. Anyone with the TSA's root certificate can check offline that the record's
bytes existed at `gen_time` and have not changed since (`chorus audit verify`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from chorus.common.models import OrgOwnedModel


class Timestamp(OrgOwnedModel):
    class Subject(models.TextChoices):
        ATTESTATION = "attestation", _("Attestation")
        POLICY_VERSION = "policy_version", _("Published policy version")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the time-stamping authority")
        STAMPED = "stamped", _("Timestamped")
        FAILED = "failed", _("Refused by the time-stamping authority")

    subject = models.CharField(max_length=20, choices=Subject.choices)
    subject_id = models.BigIntegerField()
    imprint = models.CharField(max_length=64, help_text=_("SHA-256 of the canonical bytes, hex."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    tsa_url = models.URLField(max_length=500, blank=True)
    response = models.BinaryField(blank=True, default=b"",
                                  help_text=_("The TSA's DER TimeStampResp."))
    gen_time = models.DateTimeField(null=True, blank=True)
    serial = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "subject_id"],
                                    name="timestamp_one_per_subject"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.subject} {self.subject_id}: {self.status}"
