"""Sharing: the refusal rules (hours, limits, pauses), tracked short links and share records."""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from chorus.advocacy import networks
from chorus.advocacy.models import AdvocacySettings, Caption, ContentItem, Share
from chorus.advocacy.networks import Network
from chorus.advocacy.screening import disclosure_rule, screen_caption, with_disclosure
from chorus.advocacy.services.base import CODE_ALPHABET, CODE_LENGTH
from chorus.advocacy.services.configuration import profile_for, settings_for
from chorus.audit.services import audit_record
from chorus.common.errors import InvalidInput, PermissionDenied
from chorus.people.models import Organization, Person, User

_URLS = re.compile(r"https?://\S+")


def normalized_hash(text: str) -> str:
    """Hash of a caption with case, links, punctuation and spacing ignored, so trivially
    re-punctuated copies still count as the same text."""
    text = _URLS.sub(" ", text.casefold())
    words = re.findall(r"[\w#@]+", text)
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def colleagues_with_same_text(*, item: ContentItem, text: str, user: User) -> int:
    """How many other people already shared `item` with this (normalized) text."""
    return (
        Share.objects.filter(item=item, text_hash=normalized_hash(text))
        .exclude(user=user).values("user").distinct().count()
    )


def _local_now(organization: Organization, now: datetime.datetime) -> datetime.datetime:
    try:
        zone = ZoneInfo(organization.timezone or "UTC")
    except Exception:  # an unknown zone name must not stop sharing; UTC is the safe reading
        zone = ZoneInfo("UTC")
    return now.astimezone(zone)


def share_refusal(
    *, user: User, network: str, now: datetime.datetime | None = None,
    rules: AdvocacySettings | None = None,
) -> str | None:
    """Why this person cannot share to `network` right now, or None. Used by the page (to say
    it before they write) and by `share_create` (to enforce it)."""
    person: Person | None = user.person
    if person is None or person.organization_id != user.organization_id:
        return "Only people on your organization's employee list can share content."
    if person.advocacy_paused_at is not None:
        return ("Sharing is paused for your account for now. This is not a sanction; your "
                "communications or HR contact can tell you more.")
    rules = rules or settings_for(organization=user.org)
    if network in rules.disabled_networks:
        return f"Your organization does not share to {Network(network).label} from Chorus."
    now = now or timezone.now()
    local = _local_now(user.org, now)
    hours = rules.sharing_hours.get(network)
    if hours and not hours[0] <= local.hour < hours[1]:
        return (f"Sharing to {Network(network).label} is open from {hours[0]:02d}:00 to "
                f"{hours[1]:02d}:00 ({user.org.timezone}). Please come back then.")
    if rules.daily_share_limit:
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        today = Share.objects.filter(user=user, created_at__gte=midnight).count()
        if today >= rules.daily_share_limit:
            return (f"You have shared {today} times today, the daily limit your organization "
                    "set so feeds stay varied. Come back tomorrow.")
    return None


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def short_link(code: str) -> str:
    return f"{settings.SITE_URL}{reverse('advocacy-link', args=[code])}"


@transaction.atomic
def share_create(
    *, user: User, item: ContentItem, network: str, text: str, caption: Caption | None = None,
    mastodon_instance: str = "", now: datetime.datetime | None = None,
) -> Share:
    """Record a share and give it its own tracked link and share-intent URL.

    Guarantees: refused while the person's advocacy is paused, outside the network's sharing
    hours or beyond the daily limit; the policy's disclosure is in the text (added here when
    missing, whatever the browser sent); the text fits the network with the link; a text the
    engine blocks is refused.
    """
    from chorus.advocacy.selectors import feed_item_get

    if network not in Network.values:
        raise InvalidInput("Choose a network to share to.", field="network")
    feed_item = feed_item_get(user=user, item_id=item.pk)
    if caption is not None and caption.item_id != feed_item.pk:
        raise InvalidInput("That caption belongs to another item.", field="caption")
    refusal = share_refusal(user=user, network=network, now=now)
    if refusal:
        raise PermissionDenied(refusal)
    if not text.strip():
        raise InvalidInput("Write a caption (or pick a suggestion) before sharing.", field="text")
    rule = disclosure_rule(organization=user.organization)
    final_text, _ = with_disclosure(text, rule)
    instance = ""
    if network == Network.MASTODON:
        profile = profile_for(user=user)
        raw = mastodon_instance.strip() or profile.mastodon_instance
        if not raw:
            raise InvalidInput("Enter your Mastodon server (e.g. mastodon.social) to share there.",
                               field="mastodon_instance")
        try:
            instance = networks.normalize_instance(raw)
        except ValueError:
            raise InvalidInput(
                f"{raw!r} is not a Mastodon server name. Enter just the domain, e.g. "
                "mastodon.social.", field="mastodon_instance",
            ) from None
        if profile.mastodon_instance != instance:
            profile.mastodon_instance = instance
            profile.save(update_fields=["mastodon_instance", "updated_at"])
    code = _new_code()
    while Share.objects.filter(code=code).exists():
        code = _new_code()
    link = short_link(code)
    problem = networks.length_problem(network, final_text, link)
    if problem:
        raise InvalidInput(problem, field="text")
    result = screen_caption(organization=user.organization, text=final_text, network=network,
                            author=user)
    if result.verdict == "block":
        reasons = "; ".join(f.message for f in result.findings) or "it breaks the policy"
        raise InvalidInput(f"This caption cannot be shared: {reasons}. Edit the marked parts.",
                           field="text")
    share = Share(
        organization=user.organization, item=feed_item, caption=caption, user=user,
        department=user.person.department if user.person else None, network=network,
        text=final_text, text_hash=normalized_hash(final_text),
        edited=caption is None or normalized_hash(caption.text) != normalized_hash(text),
        verdict=result.verdict, code=code,
        target_url=networks.with_utm(feed_item.link, network=network, campaign=feed_item.slug),
        intent_url=networks.intent_url(network, caption=final_text, link=link, instance=instance),
    )
    try:
        with transaction.atomic():
            share.save()
    except IntegrityError:  # a code collision between two concurrent shares: draw again
        share.code = _new_code()
        link = short_link(share.code)
        share.intent_url = networks.intent_url(network, caption=final_text, link=link,
                                               instance=instance)
        share.save()
    if now is not None:
        Share.objects.filter(pk=share.pk).update(created_at=now)
    audit_record(organization=user.organization, actor=user, action="advocacy.shared",
                 target=share, data={"item": feed_item.slug, "network": network,
                                     "edited": share.edited})
    return share
