"""The organization's advocacy settings and each advocate's profile."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext

from chorus.advocacy import networks
from chorus.advocacy.models import AdvocacySettings, AdvocateProfile
from chorus.advocacy.networks import Network
from chorus.advocacy.services.base import _require_editor
from chorus.audit.services import audit_record
from chorus.common.errors import InvalidInput
from chorus.people.models import Organization, User


def settings_for(*, organization: Organization) -> AdvocacySettings:
    """The organization's advocacy settings, created with defaults on first use."""
    obj, _ = AdvocacySettings.objects.get_or_create(organization=organization)
    return obj


@transaction.atomic
def settings_update(
    *, actor: User, leaderboard_enabled: bool, daily_share_limit: int,
    sharing_hours: dict[str, tuple[int, int]], disabled_networks: Iterable[str],
    duplicate_nudge_threshold: int,
) -> AdvocacySettings:
    """Change the sharing rules. Hours are `[start, end)` in the organization's time zone;
    `(0, 24)` means any time."""
    _require_editor(actor)
    if not 0 <= daily_share_limit <= 1000:
        raise InvalidInput(gettext("The daily limit must be between 0 (no limit) and 1000."),
                           field="daily_share_limit")
    if not 2 <= duplicate_nudge_threshold <= 1000:
        raise InvalidInput(gettext("The nudge threshold must be between 2 and 1000 colleagues."),
                           field="duplicate_nudge_threshold")
    hours: dict[str, list[int]] = {}
    for network, (start, end) in sharing_hours.items():
        if network not in Network.values:
            raise InvalidInput(
                gettext("Unknown network %(network)s.") % {"network": repr(network)},
                field="sharing_hours",
            )
        if not (0 <= start < end <= 24):
            raise InvalidInput(
                gettext(
                    "%(Network)s: sharing hours must run from an earlier hour to a later one "
                    "between 0 and 24 (e.g. 8 to 20)."
                )
                % {"Network": Network(network).label},
                field=f"hours_{network}",
            )
        if (start, end) != (0, 24):
            hours[network] = [start, end]
    disabled = sorted(set(disabled_networks))
    if any(n not in Network.values for n in disabled):
        raise InvalidInput(
            gettext("Unknown network in the disabled list."), field="disabled_networks"
        )
    if len(disabled) == len(Network.values):
        raise InvalidInput(
            gettext("Leave at least one network on, or employees cannot share at all."),
            field="disabled_networks",
        )
    obj = settings_for(organization=actor.org)
    before = {"leaderboard": obj.leaderboard_enabled, "limit": obj.daily_share_limit,
              "hours": obj.sharing_hours, "disabled": obj.disabled_networks}
    obj.leaderboard_enabled = leaderboard_enabled
    obj.daily_share_limit = daily_share_limit
    obj.sharing_hours = hours
    obj.disabled_networks = disabled
    obj.duplicate_nudge_threshold = duplicate_nudge_threshold
    obj.save()
    audit_record(organization=actor.organization, actor=actor,
                 action="advocacy.settings_changed", target=obj,
                 data={"before": before, "after": {"leaderboard": leaderboard_enabled,
                       "limit": daily_share_limit, "hours": hours, "disabled": disabled}})
    return obj


def profile_for(*, user: User) -> AdvocateProfile:
    profile, _ = AdvocateProfile.objects.get_or_create(
        user=user, defaults={"organization_id": user.org_id}
    )
    return profile


@transaction.atomic
def profile_update(
    *, user: User, mastodon_instance: str, leaderboard_opt_out: bool, digest_opt_out: bool
) -> AdvocateProfile:
    """Save the employee's own preferences. Opting out is always allowed and never reported."""
    profile = profile_for(user=user)
    instance = ""
    if mastodon_instance.strip():
        try:
            instance = networks.normalize_instance(mastodon_instance)
        except ValueError:
            raise InvalidInput(
                gettext(
                    "%(mastodon_instance)s is not a Mastodon server name. Enter just the "
                    "domain, e.g. mastodon.social."
                )
                % {"mastodon_instance": repr(mastodon_instance)},
                field="mastodon_instance",
            ) from None
    profile.mastodon_instance = instance
    profile.leaderboard_opt_out = leaderboard_opt_out
    profile.digest_opt_out = digest_opt_out
    profile.save()
    return profile
