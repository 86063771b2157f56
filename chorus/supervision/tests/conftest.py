from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.utils import timezone

_ids = itertools.count(1)


def finding(category: str, severity: str = "high", text: str = "x", **extra: Any) -> dict:
    return {
        "rule_id": f"test.{category}",
        "category": category,
        "severity": severity,
        "start": 0,
        "end": len(text),
        "excerpt": text,
        "message": f"{category} found",
        **extra,
    }


def make_post(
    user,
    *,
    text: str,
    findings: list[dict] | None = None,
    protected: bool = False,
    verdict: str | None = None,
):
    """A monitored post of `user` as ingestion stores it (screened)."""
    from chorus.monitoring.models import IngestedPost, LinkedAccount

    now = timezone.now()
    account = LinkedAccount.objects.filter(person=user.person).first() or (
        LinkedAccount.objects.create(
            organization=user.organization,
            person=user.person,
            network="mastodon",
            handle=f"@u{user.pk}@fake.example",
            external_id=f"acct-{user.pk}",
            status="active",
            consented_at=now,
            read_from=now,
            consent_version="1",
            verified_at=now,
        )
    )
    n = next(_ids)
    return IngestedPost.objects.create(
        organization=user.organization,
        account=account,
        network="mastodon",
        external_id=f"post-{n}",
        text=text,
        published_at=now,
        findings=findings or [],
        verdict=verdict or ("block" if findings else "allow"),
        protected_activity=protected,
    )


@pytest.fixture(autouse=True)
def _small_training(settings):
    settings.SUPERVISION_RETRAIN_EPOCHS = 3
