"""Recognition that lasts: time-boxed challenges and their badges.

Progress is computed, never stored: the number of confirmed shares (said posted, or seen on a
linked account) a person made inside the challenge's dates, of items with the challenge's tag
when it has one; one per (item, network). A badge is earned when progress reaches the target.
Nothing here is ranked or shown to others: communications sees only how many people completed
a challenge, without those who opted out of the leaderboard. Never tied to pay or evaluation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from chorus.advocacy.models import AdvocateProfile, Challenge, Share


@dataclass(frozen=True)
class Progress:
    challenge: Challenge
    done: int

    @property
    def earned(self) -> bool:
        return self.done >= self.challenge.target

    @property
    def shown(self) -> int:
        return min(self.done, self.challenge.target)

    @property
    def is_open(self) -> bool:
        return self.challenge.starts_on <= timezone.localdate() <= self.challenge.ends_on


def _window(challenge: Challenge) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(challenge.starts_on, datetime.time.min, zone)
    end = datetime.datetime.combine(challenge.ends_on + datetime.timedelta(days=1),
                                    datetime.time.min, zone)
    return start, end


def _confirmed(challenge: Challenge) -> Any:
    start, end = _window(challenge)
    shares = Share.objects.filter(organization_id=challenge.organization_id,
                                  confirmed_at__gte=start, confirmed_at__lt=end)
    if challenge.tag:
        if _json_contains_supported():
            shares = shares.filter(item__tags__contains=[challenge.tag])
        else:  # SQLite: the JSON list as text
            shares = shares.filter(item__tags__icontains=f'"{challenge.tag}"')
    return shares


def _json_contains_supported() -> bool:
    from django.db import connection

    return bool(connection.features.supports_json_field_contains)


def progress_for(*, user: Any) -> list[Progress]:
    """The person's progress in every challenge of their organization, newest first."""
    out = []
    for challenge in Challenge.objects.filter(organization_id=user.organization_id):
        done = _confirmed(challenge).filter(user=user).values("item", "network").distinct() \
            .count()
        out.append(Progress(challenge=challenge, done=done))
    return out


def completions(challenge: Challenge) -> int:
    """How many people earned the badge (those who opted out are not counted)."""
    opted_out = set(AdvocateProfile.objects.filter(
        organization_id=challenge.organization_id, leaderboard_opt_out=True)
        .values_list("user_id", flat=True))
    per_user: dict[int, int] = {}
    for user_id in _confirmed(challenge).values("user", "item", "network").distinct() \
            .values_list("user", flat=True):
        per_user[user_id] = per_user.get(user_id, 0) + 1
    return sum(1 for uid, n in per_user.items() if n >= challenge.target and uid not in opted_out)
