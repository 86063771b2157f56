"""Sharing: the refusal rules (hours, limits, pauses), tracked short links and share records."""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from chorus.advocacy import networks
from chorus.advocacy.models import AdvocacySettings, Caption, ContentItem, Share
from chorus.advocacy.networks import Network
from chorus.advocacy.screening import disclosure_rule, screen_caption, with_disclosure
from chorus.advocacy.services.base import CODE_ALPHABET, CODE_LENGTH
from chorus.advocacy.services.configuration import profile_for, settings_for
from chorus.audit.services import audit_record
from chorus.common.errors import InvalidInput, NotFound, PermissionDenied
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


def crisis_in_force(*, organization: Any) -> Any:
    """The organization's active crisis mode (chorus.posture), or None: while it is on,
    share buttons and scheduled content pause (issue 21)."""
    from django.apps import apps

    if not apps.is_installed("chorus.posture"):
        return None
    from chorus.posture.services import crisis_active

    return crisis_active(organization=organization)


def quiet_periods_now(*, organization: Any) -> list[Any]:
    """Quiet periods in force (chorus.posture), shown on the hub with reason and end."""
    from django.apps import apps

    if not apps.is_installed("chorus.posture"):
        return []
    from chorus.posture.services import active_quiet_periods

    return active_quiet_periods(organization=organization)


def share_refusal(
    *, user: User, network: str, now: datetime.datetime | None = None,
    rules: AdvocacySettings | None = None, again: bool = False,
) -> str | None:
    """Why this person cannot share to `network` right now, or None. Used by the page (to say
    it before they write) and by `share_create` (to enforce it). `again`: reopening a share
    already started does not count against the daily limit."""
    person: Person | None = user.person
    if person is None or person.organization_id != user.organization_id:
        return "Only people on your organization's employee list can share content."
    crisis = crisis_in_force(organization=user.organization)
    if crisis is not None:
        return (f"Sharing is paused for everyone while the company responds to “{crisis.topic}”. "
                f"{crisis.holding_statement} Questions: {crisis.contact}.")
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
    if rules.daily_share_limit and not again:
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
    """Record a share intent and give it its own tracked link and share-intent URL.

    One share per (item, network, person): pressing "Share" again for the same item and
    network reuses it (same tracked link, text updated while it is unconfirmed), so repeated
    presses neither count again nor use up the daily limit. It counts in analytics and points
    only once confirmed (`share_confirm`, or seen on a linked account).

    Guarantees: refused while the person's advocacy is paused, outside the network's sharing
    hours or beyond the daily limit; the policy's disclosure is in the text (added here when
    missing, whatever the browser sent); the text fits the network with the link; a text the
    engine blocks is refused.
    """
    from chorus.advocacy.selectors import feed_item_get

    if network not in Network.values:
        raise InvalidInput(gettext("Choose a network to share to."), field="network")
    feed_item = feed_item_get(user=user, item_id=item.pk)
    if caption is not None and caption.item_id != feed_item.pk:
        raise InvalidInput(gettext("That caption belongs to another item."), field="caption")
    existing = (Share.objects.select_for_update()
                .filter(item=feed_item, network=network, user=user).order_by("-created_at")
                .first())
    if existing is not None and existing.confirmed_at is not None:
        return existing  # already posted: the record of what was posted stays as it is
    refusal = share_refusal(user=user, network=network, now=now, again=existing is not None)
    if refusal:
        raise PermissionDenied(refusal)
    if not text.strip():
        raise InvalidInput(
            gettext("Write a caption (or pick a suggestion) before sharing."), field="text"
        )
    rule = disclosure_rule(organization=user.organization)
    final_text, _ = with_disclosure(text, rule)
    instance = ""
    if network == Network.MASTODON:
        profile = profile_for(user=user)
        raw = (mastodon_instance.strip() or profile.mastodon_instance
               or linked_mastodon_server(user=user))
        if not raw:
            raise InvalidInput(
                gettext("Enter your Mastodon server (e.g. mastodon.social) to share there."),
                field="mastodon_instance",
            )
        try:
            instance = networks.normalize_instance(raw)
        except ValueError:
            raise InvalidInput(
                gettext(
                    "%(raw)s is not a Mastodon server name. Enter just the domain, e.g. "
                    "mastodon.social."
                )
                % {"raw": repr(raw)},
                field="mastodon_instance",
            ) from None
        if profile.mastodon_instance != instance:
            profile.mastodon_instance = instance
            profile.save(update_fields=["mastodon_instance", "updated_at"])
    if existing is not None:
        code = existing.code
    else:
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
        raise InvalidInput(
            gettext("This caption cannot be shared: %(reasons)s. Edit the marked parts.")
            % {"reasons": reasons},
            field="text",
        )
    if existing is not None:
        existing.caption = caption
        existing.text, existing.text_hash = final_text, normalized_hash(final_text)
        existing.edited = caption is None or normalized_hash(caption.text) != normalized_hash(text)
        existing.verdict = result.verdict
        existing.intent_url = networks.intent_url(network, caption=final_text, link=link,
                                                  instance=instance)
        existing.save(update_fields=["caption", "text", "text_hash", "edited", "verdict",
                                     "intent_url", "updated_at"])
        audit_record(organization=user.organization, actor=user, action="advocacy.share_updated",
                     target=existing, data={"item": feed_item.slug, "network": network,
                                            "edited": existing.edited})
        return existing
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


def linked_mastodon_server(*, user: User) -> str:
    """The server of the person's own linked Mastodon account ("@emery@mastodon.example" ->
    "mastodon.example"), or "" when none is linked: the share form's default server."""
    from chorus.monitoring.models import LinkedAccount

    person = user.person
    if person is None:
        return ""
    handle = (LinkedAccount.objects.filter(person=person, network="mastodon")
              .exclude(status=LinkedAccount.Status.REVOKED).order_by("-verified_at", "-pk")
              .values_list("handle", flat=True).first())
    if not handle or "@" not in handle.strip().lstrip("@"):
        return ""
    try:
        return networks.normalize_instance(handle.strip().lstrip("@").split("@", 1)[1])
    except ValueError:
        return ""


@transaction.atomic
def share_confirm(*, user: User, share: Share, post_url: str = "",
                  via: str = Share.Confirmation.SAID) -> Share:
    """Mark a share as really posted: the person said so, or the post was seen on one of
    their linked accounts. Only the person who shared confirms; confirming twice changes
    nothing. From now on it counts in analytics and points."""
    share = Share.objects.select_for_update().get(pk=share.pk)
    if share.user_id != user.pk:
        raise NotFound(gettext("No such share."))
    if share.confirmed_at is not None:
        return share
    post_url = post_url.strip()
    if post_url and not post_url.startswith(("https://", "http://")):
        raise InvalidInput(
            gettext("Paste the address of your post, starting with https://, or leave it empty."),
            field="post_url",
        )
    share.confirmed_at = timezone.now()
    share.confirmed_via = via
    share.post_url = post_url[:1000]
    share.save(update_fields=["confirmed_at", "confirmed_via", "post_url", "updated_at"])
    audit_record(organization=share.organization, actor=user, action="advocacy.share_confirmed",
                 target=share, data={"via": via, "network": share.network})
    return share


_TRACKED = re.compile(rf"/l/([A-Za-z0-9]{{{CODE_LENGTH}}})\b")


def shares_confirm_seen(*, user: User, network: str, text: str, url: str = "") -> list[Share]:
    """A post seen on the person's own, proven linked account: confirm their unconfirmed
    shares whose tracked link it contains (only theirs, only on that network)."""
    codes = set(_TRACKED.findall(text or ""))
    if not codes or network not in Network.values:
        return []
    confirmed = []
    for share in Share.objects.filter(user=user, network=network, code__in=codes,
                                      confirmed_at__isnull=True):
        confirmed.append(share_confirm(user=user, share=share, post_url=url,
                                       via=Share.Confirmation.SEEN))
    return confirmed
