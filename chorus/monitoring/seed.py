"""Demo data: a Mastodon account linked with consent by the demo employee, two of its posts
and one coaching alert. Built through services; no network access (the demo connector is the
in-memory fake, so the seed works offline)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from django.utils import timezone

from chorus.connectors.base import override_connector
from chorus.connectors.fake.adapter import FakeConnector
from chorus.monitoring.consent import CONSENT_VERSION
from chorus.monitoring.models import MonitoringAlert, Network
from chorus.monitoring.services import (
    account_link,
    account_verify,
    ingest_posts,
    settings_update,
)

DEMO_POSTS = [
    "Great day at the robotics meetup in Lisbon, thanks to everyone who came by! #robots",
    "Honestly Initech's arm is garbage and their engineers are idiots, everyone knows it.",
]


def seed(ctx) -> None:  # type: ignore[no-untyped-def]
    org, admin, employee = ctx.organization, ctx.users["admin"], ctx.users["employee"]
    settings_update(
        organization=org, actor=admin,
        enabled_networks=[Network.MASTODON, Network.BLUESKY, Network.RSS, Network.X_ARCHIVE,
                          Network.LINKEDIN_EXPORT],
        alert_threshold="medium", retention_days=30, escalate_after=3,
        dpia_reference="DPIA-2026-04 (social media monitoring, opt-in)",
        works_council_reference="Betriebsvereinbarung Social Media 2026-03",
    )
    fake = FakeConnector()
    profile = fake.add_account("@emery@mastodon.example", external_id="109000000000000001")
    with override_connector(Network.MASTODON, fake):
        account = account_link(user=employee, network=Network.MASTODON, handle=profile.handle,
                               agreed=True, consent_version=CONSENT_VERSION)
        # Emery proves the account is theirs with the code in the bio, as a real owner would.
        fake.set_bio(profile.handle, f"Robotics at Northwind. {account.verification_code}")
        account = account_verify(user=employee, account=account)
    account.profile_url = "https://mastodon.example/@emery"
    account.save(update_fields=["profile_url"])
    # Published just after consent was given: earlier posts would never be read.
    posts = [
        fake.publish(profile.external_id, text, at=timezone.now() + timedelta(seconds=n))
        for n, text in enumerate(DEMO_POSTS)
    ]
    posts = [replace(p, url=f"https://mastodon.example/@emery/{p.external_id}") for p in posts]
    with override_connector(Network.MASTODON, fake):
        ingest_posts(account_id=account.pk, posts=posts, cursor=posts[-1].external_id)
    if not MonitoringAlert.objects.filter(account=account).exists():
        # The policy app may not be seeded with a rule catching the demo post: make sure the
        # demo still shows what a coaching note looks like.
        post = account.posts.order_by("-published_at").first()
        if post is None:
            return
        MonitoringAlert.objects.create(
            organization=org, post=post, account=account, person=account.person,
            severity="medium", categories=["competitor_negative"], post_url=post.url,
            findings=[{
                "rule_id": "competitor.negative", "category": "competitor_negative",
                "severity": "medium", "excerpt": "Initech's arm is garbage",
                "message": "A disparaging remark about a named competitor.",
                "suggestion": "Compare on facts, or leave the competitor out.",
            }],
        )
