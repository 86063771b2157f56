"""Offboarding step of advocacy (see chorus.provisioning.registry): the person's tracked
links keep working for anyone who has them, but clicks after today no longer count for them
(points, leaderboard); content analytics still count every click."""

from __future__ import annotations

from typing import Any


def offboard_person(person: Any, *, actor: Any, reason: str) -> list[Any]:
    from django.utils import timezone

    from chorus.advocacy.models import Share
    from chorus.provisioning.registry import Step

    title = "What you shared"
    if person.user_id is None or not Share.objects.filter(user_id=person.user_id).exists():
        return [Step("advocacy.attribution_ended", title, "You had shared nothing.")]
    ended = Share.objects.filter(user_id=person.user_id, attribution_ended_at__isnull=True
                                 ).update(attribution_ended_at=timezone.now())
    return [Step("advocacy.attribution_ended", title,
                 "The links in posts you shared keep working for the people who click them, "
                 "but they no longer count for you, and you no longer appear on the "
                 "leaderboard for new visits. The posts on your own accounts are yours: "
                 "Chorus never deletes or edits them.", count=ended)]
