"""Data rights for the content hub and shares (see chorus.privacy.registry)."""

from __future__ import annotations

from typing import Any

SHARE_REASON = (
    "The share rows stay without their text so the organization's share counts stay true and "
    "the tracked links already posted keep working; they point only at the pseudonymized "
    "account. Clicks never held personal data (daily-salted hashes)."
)
CONTENT_REASON = (
    "Content items and their review history are the organization's own work product, written "
    "in a work role; they stay and show the pseudonymized account as author or approver."
)


def export_person_data(person: Any) -> list[Any]:
    from django.db.models import Count, Q

    from chorus.advocacy.models import AdvocateProfile, ContentItem, DigestDelivery, Share
    from chorus.privacy.registry import Section

    user = person.user
    if user is None:
        return []
    shares = (
        Share.objects.filter(user=user)
        .select_related("item")
        .annotate(click_count=Count("clicks"))
        .order_by("created_at")
    )
    sections = [
        Section(
            "Your shares",
            [
                {
                    "when": s.created_at,
                    "network": s.get_network_display(),
                    "item": s.item.title,
                    "text": s.text,
                    "edited by you": s.edited,
                    "tracked link code": s.code,
                    "posted (confirmed)": s.confirmed_at,
                    "your post": s.post_url,
                    "clicks": s.click_count,
                }
                for s in shares
            ],
            note="Clicks are counted without storing who clicked.",
        ),
    ]
    profile = AdvocateProfile.objects.filter(user=user).first()
    if profile is not None:
        sections.append(
            Section(
                "Your sharing preferences",
                [
                    {
                        "Mastodon instance": profile.mastodon_instance,
                        "left out of the leaderboard": profile.leaderboard_opt_out,
                        "no weekly digest": profile.digest_opt_out,
                    }
                ],
            )
        )
    sections.append(
        Section(
            "Weekly digests sent to you",
            [
                {"week": d.week, "items": d.item_count, "sent": d.created_at}
                for d in DigestDelivery.objects.filter(user=user).order_by("week")
            ],
        )
    )
    sections.append(
        Section(
            "Content you wrote or approved",
            [
                {
                    "title": c.title,
                    "status": c.get_status_display(),
                    "created": c.created_at,
                    "role": "author" if c.author_id == user.pk else "approver",
                }
                for c in ContentItem.objects.filter(organization_id=person.organization_id)
                .filter(Q(author=user) | Q(approved_by=user))
                .order_by("created_at")
            ],
        )
    )
    from chorus.advocacy.models import ContentSuggestion

    sections.append(
        Section(
            "Links you suggested",
            [
                {"when": g.created_at, "link": g.url, "note": g.note,
                 "status": g.get_status_display(), "reply": g.decision_note}
                for g in ContentSuggestion.objects.filter(suggester=user).order_by("created_at")
            ],
        )
    )
    return sections


def erase_person_data(person: Any) -> Any:
    from chorus.advocacy.models import AdvocateProfile, ContentItem, DigestDelivery, Share
    from chorus.privacy.registry import Erasure

    outcome = Erasure()
    user = person.user
    if user is None:
        return outcome
    deleted, _ = AdvocateProfile.objects.filter(user=user).delete()
    outcome.erase("sharing preferences", deleted)
    deleted, _ = DigestDelivery.objects.filter(user=user).delete()
    outcome.erase("weekly digest records", deleted)
    from chorus.advocacy.models import ContentSuggestion

    # The suggestion (link, note, credit) goes; a draft made from it is communications' work.
    deleted, _ = ContentSuggestion.objects.filter(suggester=user).delete()
    outcome.erase("link suggestions", deleted)
    shares = Share.objects.filter(user=user)
    count = shares.count()
    # post_url (issue 17) is the link to the person's own post: personal, removed too.
    shares.update(text="", text_hash="", intent_url="", post_url="", department=None)
    outcome.pseudonymize("shares (text removed)", count)
    outcome.keep("share records and their tracked links", count, SHARE_REASON)
    from django.db.models import Q

    authored = ContentItem.objects.filter(Q(author=user) | Q(approved_by=user)).count()
    outcome.keep("content items written or approved", authored, CONTENT_REASON)
    return outcome
