"""Data rights for consent-based monitoring (see chorus.privacy.registry)."""

from __future__ import annotations

from typing import Any

CONSENT_REASON = (
    "The record of consent given and withdrawn, with the text shown: the organization must be "
    "able to demonstrate consent (GDPR Art. 7(1)); kept unchanged (append-only)."
)


def export_person_data(person: Any) -> list[Any]:
    from chorus.monitoring.models import ConsentRecord, IngestedPost, LinkedAccount, MonitoringAlert
    from chorus.privacy.registry import Section

    return [
        Section(
            "Your linked social accounts",
            [
                {
                    "network": a.get_network_display(),
                    "handle": a.handle,
                    "status": a.get_status_display(),
                    "consented": a.consented_at,
                    "read from": a.read_from,
                    "last read": a.last_read_at,
                    "consent withdrawn": a.revoked_at,
                }
                for a in LinkedAccount.objects.filter(person=person).order_by("created_at")
            ],
        ),
        Section(
            "Your consent records",
            [
                {
                    "when": c.created_at,
                    "action": c.get_action_display(),
                    "version": c.version,
                    "text you saw": c.text,
                }
                for c in ConsentRecord.objects.filter(person=person).order_by("created_at")
            ],
        ),
        Section(
            "Posts read from your linked accounts",
            [
                {
                    "published": p.published_at,
                    "network": p.network,
                    "link": p.url,
                    "text": p.text,
                    "verdict": p.verdict,
                }
                for p in IngestedPost.objects.filter(account__person=person).order_by(
                    "published_at"
                )
            ],
        ),
        Section(
            "Coaching alerts about your posts",
            [
                {
                    "when": a.created_at,
                    "severity": a.severity,
                    "categories": ", ".join(a.categories),
                    "status": a.get_status_display(),
                    "post": a.post_url,
                }
                for a in MonitoringAlert.objects.filter(person=person).order_by("created_at")
            ],
        ),
    ]


def erase_person_data(person: Any) -> Any:
    from django.utils import timezone

    from chorus.monitoring.models import ConsentRecord, IngestedPost, LinkedAccount, MonitoringAlert
    from chorus.privacy.registry import Erasure

    outcome = Erasure()
    now = timezone.now()
    deleted, _ = MonitoringAlert.objects.filter(person=person).delete()
    outcome.erase("coaching alerts", deleted)
    deleted, _ = IngestedPost.objects.filter(account__person=person).delete()
    outcome.erase("posts read from linked accounts", deleted)
    accounts = list(LinkedAccount.objects.filter(person=person))
    for account in accounts:
        account.status = LinkedAccount.Status.REVOKED
        account.revoked_at = account.revoked_at or now
        account.purge_after = account.purged_at = now
        account.handle, account.instance, account.profile_url = "erased", "", ""
        account.external_id = f"erased-{account.pk}"
        account.cursor = account.last_error = ""
        account.save()
    outcome.pseudonymize("linked accounts (reading stopped, handle removed)", len(accounts))
    outcome.keep(
        "consent records", ConsentRecord.objects.filter(person=person).count(), CONSENT_REASON
    )
    return outcome
