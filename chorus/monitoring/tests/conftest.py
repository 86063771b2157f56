"""Monitoring test helpers: settings switched on, an in-memory network, a predictable screener."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chorus.connectors.base import override_connector
from chorus.connectors.fake.adapter import FakeConnector
from chorus.monitoring.consent import CONSENT_VERSION
from chorus.monitoring.models import Network
from chorus.monitoring.services import account_link, account_verify, settings_update

# word -> (category, severity); "pay" marks protected activity.
RULES = {
    "garbage": ("competitor_negative", "medium"),
    "meh": ("profanity", "low"),
    "hunter2": ("secret", "critical"),
    "idiots": ("harassment", "high"),
}


def keyword_screen(text: str, network: str) -> dict[str, Any]:
    """A stand-in for the engine with the contract's shape, so tests state exactly which
    findings a text has (the engine's own tests cover what it finds)."""
    findings = []
    lowered = text.lower()
    for word, (category, severity) in RULES.items():
        start = lowered.find(word)
        if start >= 0:
            findings.append({
                "rule_id": f"test.{word}", "category": category, "severity": severity,
                "start": start, "end": start + len(word), "excerpt": text[start:start + len(word)],
                "message": f"Contains {word}.", "suggestion": f"Remove {word}.",
            })
    signals = ["protected_activity"] if "our pay" in lowered else []
    verdict = "block" if any(f["severity"] in ("high", "critical") for f in findings) else (
        "warn" if findings else "allow")
    return {"verdict": verdict, "categories": sorted({f["category"] for f in findings}),
            "signals": signals, "findings": findings}


@pytest.fixture(autouse=True)
def screen(monkeypatch):
    monkeypatch.setattr("chorus.monitoring.services.ingestion.screener_for_organization",
                        lambda organization: keyword_screen)
    monkeypatch.setattr("chorus.monitoring.screening.screener_for_organization",
                        lambda organization: keyword_screen)
    return keyword_screen


@pytest.fixture
def monitoring_on(org, admin):
    return settings_update(
        organization=org, actor=admin, enabled_networks=list(Network.values),
        alert_threshold="medium", retention_days=30, escalate_after=3,
    )


@pytest.fixture
def fake_net():
    fake = FakeConnector()
    with override_connector(Network.MASTODON, fake):
        yield fake


def link_fake(user, fake: FakeConnector, handle: str = "@emery@fake.example", *,
              verify: bool = True):
    """Link an account on the fake network and, unless told otherwise, prove ownership the
    way an owner does: the code in the profile text."""
    profile = fake.add_account(handle)
    account = account_link(user=user, network=Network.MASTODON, handle=handle, agreed=True,
                           consent_version=CONSENT_VERSION)
    if verify:
        fake.set_bio(handle, f"Hello! {account.verification_code}")
        account = account_verify(user=user, account=account)
    return account, profile


def when(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
