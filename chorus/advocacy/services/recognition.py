"""Writes for challenges (communications only, audited)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext

from chorus.advocacy.models import Challenge
from chorus.advocacy.services.base import _require_editor
from chorus.audit.services import audit_record
from chorus.common.errors import InvalidInput
from chorus.people.models import User


def challenge_create(*, actor: User, title: str, rules: str, target: int, badge: str,
                     starts_on: datetime.date, ends_on: datetime.date,
                     tag: str = "") -> Challenge:
    _require_editor(actor)
    if not title.strip():
        raise InvalidInput(gettext("Name the challenge."), field="title")
    if not rules.strip():
        raise InvalidInput(
            gettext("Write what counts, so everyone can see the rules."), field="rules"
        )
    if not badge.strip():
        raise InvalidInput(gettext("Name the badge people earn."), field="badge")
    if not 1 <= target <= 100:
        raise InvalidInput(gettext("The target is a number of posted shares from 1 to 100."),
                           field="target")
    if ends_on < starts_on:
        raise InvalidInput(
            gettext("The challenge must end on or after its first day."), field="ends_on"
        )
    if (ends_on - starts_on).days > 366:
        raise InvalidInput(gettext("Keep a challenge to a year at most."), field="ends_on")
    challenge = Challenge.objects.create(
        organization=actor.org, title=title.strip()[:150], rules=rules.strip(), target=target,
        badge=badge.strip()[:60], tag=tag.strip().lstrip("#")[:40],
        starts_on=starts_on, ends_on=ends_on, created_by=actor)
    audit_record(organization=actor.org, actor=actor, action="advocacy.challenge_created",
                 target=challenge, data={"target": target, "tag": challenge.tag})
    return challenge
