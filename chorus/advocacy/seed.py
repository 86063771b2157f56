"""Demo content for Northwind: approved items with captions for every network, guidance cards,
and a month of shares and clicks so the analytics and health pages have something to show."""

from __future__ import annotations

import datetime
import hashlib
import random

from django.utils import timezone

from chorus.advocacy.models import Click, ContentItem
from chorus.advocacy.services import (
    CaptionIn,
    content_create,
    content_transition,
    guidance_save,
    settings_update,
    share_create,
)

ITEMS = [
    ("Skylift 2 ships to warehouses in Europe", "https://northwind.example/news/skylift-2",
     ["launch", "skylift"], [
         ("x", "Skylift 2 is now shipping to warehouses across Europe."),
         ("x", "Years of work, and Skylift 2 is finally out in European warehouses."),
         ("bluesky", "Skylift 2 is now shipping to warehouses across Europe 🤖"),
         ("mastodon", "Skylift 2 is now shipping to warehouses across Europe."),
         ("mastodon", "Our team's Skylift 2 robot is out in the world: European warehouses first."),
         ("linkedin", "Skylift 2 is now shipping to warehouses across Europe. It lifts twice "
                      "the load with half the energy of the first generation."),
         ("facebook", "Skylift 2 is now shipping across Europe!"),
     ]),
    ("We're hiring robotics engineers in Lisbon", "https://northwind.example/careers?team=lisbon",
     ["hiring"], [
         ("x", "We're hiring robotics engineers in Lisbon. Come build with us."),
         ("bluesky", "Robotics engineers: our Lisbon team is hiring."),
         ("mastodon", "Our Lisbon robotics team is hiring engineers. Friendly team, real robots."),
         ("linkedin", "Our Lisbon robotics team is growing. If you love field robotics, "
                      "have a look at the open roles."),
     ]),
    ("Northwind at Automatica 2026, booth B4", "https://northwind.example/events/automatica",
     ["events"], [
         ("x", "Meet us at Automatica in Munich, booth B4."),
         ("mastodon", "Heading to Automatica in Munich? Come say hi at booth B4."),
         ("linkedin", "We'll be at Automatica in Munich, booth B4, with live Tern demos."),
     ]),
]

GUIDANCE = [
    ("do", "Say what you worked on", "A sentence about your part in it is worth more than any "
     "caption we could write."),
    ("do", "Share events you attend", "Photos from a booth or a talk you enjoyed (ask people "
     "before you post their faces)."),
    ("do", "Celebrate your colleagues", "Team milestones, a launch, a new hire you're glad to "
     "work with."),
    ("dont", "Customer names and unreleased products", "Unless it's in our public news, leave "
     "customers, prices and roadmaps out."),
    ("dont", "Speaking for the company", "Say it's your view; statements on behalf of Northwind "
     "come from communications."),
]


def seed(ctx) -> None:  # type: ignore[no-untyped-def]
    comms, admin = ctx.users["comms"], ctx.users["admin"]
    now = timezone.now()
    settings_update(actor=comms, leaderboard_enabled=True, daily_share_limit=10,
                    sharing_hours={}, disabled_networks=[], duplicate_nudge_threshold=3)
    for position, (kind, title, body) in enumerate(GUIDANCE):
        guidance_save(actor=comms, kind=kind, title=title, body=body, position=position)
    items = []
    for title, link, tags, captions in ITEMS:
        item = content_create(actor=comms, title=title, body=f"{title}. Read more on our site.",
                              link=link, tags=tags,
                              captions=[CaptionIn(network=n, text=t) for n, t in captions])
        content_transition(item=item, actor=comms, to_status=ContentItem.Status.IN_REVIEW)
        content_transition(item=item, actor=admin, to_status=ContentItem.Status.APPROVED)
        items.append(item)
    # A month of history, deterministic so screenshots and demos look the same every time.
    rng = random.Random(7)
    sharers = [ctx.users[k] for k in ("comms", "manager", "employee2", "hr")]
    instance = {"mastodon_instance": "mastodon.social"}
    for day_offset in range(28, 0, -3):
        when = now - datetime.timedelta(days=day_offset, hours=rng.randint(0, 5))
        user = sharers[day_offset % len(sharers)]
        item = items[day_offset % len(items)]
        caption = item.captions.all()[day_offset % item.captions.count()]
        share = share_create(user=user, item=item, network=caption.network,
                             text=caption.text, caption=caption, now=when,
                             **(instance if caption.network == "mastodon" else {}))
        # Simulated visits (no service records historical clicks).
        for n in range(rng.randint(0, 6)):
            at = when + datetime.timedelta(hours=n * 3 + 1)
            if at > now:
                break
            Click.objects.create(share=share, day=at.date(), created_at=at,
                                 visitor=hashlib.sha256(f"demo{n % 4}{at.date()}".encode())
                                 .hexdigest()[:32])
