"""The receipt of each erasure: who asked for it, why, and what each app erased,
pseudonymized or kept (with the legal reason). It names the person only by the pseudonymized
record, so the receipt itself holds no erased identity."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chorus.common.models import OrgOwnedModel


class ErasureRecord(OrgOwnedModel):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(max_length=300, help_text=_("The request, e.g. 'Art. 17 of 3 May'."))
    # [{"app": "Reports", "erased": [[what, n]], "pseudonymized": [...], "kept": [{what, count,
    # reason}], "notes": [...]}], in the order the apps ran.
    outcome = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Erasure of person {self.person_id}"
