"""Writes for the content hub: items and their workflow, guidance, settings, profiles, shares
and the weekly digest. Every service validates, writes, records history and audits."""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
import secrets
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from chorus.advocacy import networks
from chorus.advocacy.models import (
    ALLOWED_TRANSITIONS,
    AdvocacySettings,
    AdvocateProfile,
    Caption,
    ContentEvent,
    ContentItem,
    DigestDelivery,
    GuidanceCard,
    Share,
)
from chorus.advocacy.networks import Network
from chorus.advocacy.screening import disclosure_rule, screen_caption, with_disclosure
from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from chorus.common.uploads import validate_image
from chorus.people.models import Department, Organization, Person, User
from chorus.people.roles import Role

logger = logging.getLogger(__name__)

MAX_TAGS = 10
MAX_CAPTIONS = 20
CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 8  # 62^8 ≈ 2e14: unguessable enough that links cannot be enumerated


def is_editor(user: User) -> bool:
    """Communications staff (and administrators) manage content, guidance and settings."""
    return user.has_role(Role.COMMUNICATIONS)


def _require_editor(user: User) -> None:
    if not is_editor(user):
        raise PermissionDenied("Only communications staff can manage advocacy content.")


# --------------------------------------------------------------------------- content items


@dataclass(frozen=True)
class CaptionIn:
    network: str
    text: str


def _placeholder_link() -> str:
    # The real tracked link only exists at share time; this one has the same length.
    return f"{settings.SITE_URL}/l/{'x' * CODE_LENGTH}"


def _clean_item_fields(
    *, organization: Organization, title: str, body: str, link: str, tags: Iterable[str],
    audience: Iterable[Department], publish_at: datetime.datetime | None,
    expires_at: datetime.datetime | None, captions: Sequence[CaptionIn],
) -> dict[str, Any]:
    title, body, link = title.strip(), body.strip(), link.strip()
    if not title:
        raise InvalidInput("Give the item a title employees will recognise.", field="title")
    if not body:
        raise InvalidInput("Describe what this is and why it is worth sharing.", field="body")
    try:
        URLValidator(schemes=["http", "https"])(link)
    except ValidationError:
        raise InvalidInput(
            f"{link or 'The link'} is not a web address; paste the full link, starting with "
            "https://.", field="link",
        ) from None
    clean_tags = []
    for tag in tags:
        tag = tag.strip().lstrip("#")
        if tag and tag.lower() not in {t.lower() for t in clean_tags}:
            clean_tags.append(tag[:40])
    if len(clean_tags) > MAX_TAGS:
        raise InvalidInput(f"Use at most {MAX_TAGS} tags.", field="tags")
    if publish_at and expires_at and expires_at <= publish_at:
        raise InvalidInput("The expiry date must be after the publish date.", field="expires_at")
    departments = list(audience)
    if any(d.organization_id != organization.pk for d in departments):
        raise InvalidInput("Choose departments of your own organization.", field="audience")
    clean_captions = _clean_captions(organization=organization, captions=captions)
    return {
        "title": title[:200], "body": body, "link": link, "tags": clean_tags,
        "publish_at": publish_at, "expires_at": expires_at, "departments": departments,
        "captions": clean_captions,
    }


def _clean_captions(
    *, organization: Organization, captions: Sequence[CaptionIn]
) -> list[CaptionIn]:
    out = [CaptionIn(network=c.network, text=c.text.strip()) for c in captions if c.text.strip()]
    if not out:
        raise InvalidInput(
            "Write at least one suggested caption, so employees have a starting point.",
            field="captions",
        )
    if len(out) > MAX_CAPTIONS:
        raise InvalidInput(f"Use at most {MAX_CAPTIONS} captions per item.", field="captions")
    rule = disclosure_rule(organization=organization)
    link = _placeholder_link()
    for index, caption in enumerate(out, start=1):
        if caption.network not in Network.values:
            raise InvalidInput(f"Caption {index}: choose a network.", field="captions")
        composed, _ = with_disclosure(caption.text, rule)
        problem = networks.length_problem(caption.network, composed, link)
        if problem:
            raise InvalidInput(
                f"Caption {index} ({Network(caption.network).label}): {problem} The count "
                "includes the tracked link and the disclosure hashtag.",
                field="captions",
            )
    return out


def _unique_slug(*, organization: Organization, title: str, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:70] or "item"
    slug, n = base, 1
    existing = ContentItem.objects.filter(organization=organization)
    if exclude_pk:
        existing = existing.exclude(pk=exclude_pk)
    while existing.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _store_image(item: ContentItem, image: UploadedFile | None) -> None:
    if image is None:
        return
    item.image_mime = validate_image(image, field="image")
    digest = hashlib.sha256()
    for chunk in image.chunks():
        digest.update(chunk)
    image.seek(0)
    item.image_sha256 = digest.hexdigest()
    ext = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
    # The stored name never comes from the upload, so no path tricks and no leaked file names.
    item.image.save(f"{item.image_sha256[:16]}.{ext[item.image_mime]}", image, save=False)


def _write_captions(item: ContentItem, captions: Sequence[CaptionIn]) -> None:
    item.captions.all().delete()
    positions: dict[str, int] = {}
    for caption in captions:
        position = positions.get(caption.network, 0)
        positions[caption.network] = position + 1
        Caption.objects.create(item=item, network=caption.network, text=caption.text,
                               position=position)


@transaction.atomic
def content_create(
    *, actor: User, title: str, body: str, link: str, captions: Sequence[CaptionIn],
    tags: Iterable[str] = (), audience: Iterable[Department] = (),
    publish_at: datetime.datetime | None = None, expires_at: datetime.datetime | None = None,
    image: UploadedFile | None = None,
) -> ContentItem:
    """Create a draft item with its captions. Captions must fit each network's limit with the
    tracked link and the disclosure included, so approval never meets a post that cannot fit."""
    _require_editor(actor)
    organization = actor.organization
    fields = _clean_item_fields(
        organization=organization, title=title, body=body, link=link, tags=tags,
        audience=audience, publish_at=publish_at, expires_at=expires_at, captions=captions,
    )
    item = ContentItem(
        organization=organization, author=actor,
        slug=_unique_slug(organization=organization, title=fields["title"]),
        title=fields["title"], body=fields["body"], link=fields["link"], tags=fields["tags"],
        publish_at=fields["publish_at"], expires_at=fields["expires_at"],
    )
    _store_image(item, image)
    item.save()
    item.audience.set(fields["departments"])
    _write_captions(item, fields["captions"])
    ContentEvent.objects.create(item=item, actor=actor, from_status="",
                                to_status=ContentItem.Status.DRAFT)
    audit_record(organization=organization, actor=actor, action="advocacy.content_created",
                 target=item, data={"slug": item.slug, "captions": len(fields["captions"])})
    return item


@transaction.atomic
def content_update(
    *, item: ContentItem, actor: User, title: str, body: str, link: str,
    captions: Sequence[CaptionIn], tags: Iterable[str] = (), audience: Iterable[Department] = (),
    publish_at: datetime.datetime | None = None, expires_at: datetime.datetime | None = None,
    image: UploadedFile | None = None, remove_image: bool = False,
) -> ContentItem:
    """Edit a draft. Items in review or approved are locked: what was approved is shared."""
    _require_editor(actor)
    item = ContentItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ContentItem.Status.DRAFT:
        raise Conflict(
            f"This item is {item.get_status_display().lower()}; only drafts can be edited. "
            "Return it to draft first."
        )
    fields = _clean_item_fields(
        organization=item.organization, title=title, body=body, link=link, tags=tags,
        audience=audience, publish_at=publish_at, expires_at=expires_at, captions=captions,
    )
    for name in ("title", "body", "link", "tags", "publish_at", "expires_at"):
        setattr(item, name, fields[name])
    if remove_image and not image:
        item.image, item.image_mime, item.image_sha256 = "", "", ""
    _store_image(item, image)
    item.save()
    item.audience.set(fields["departments"])
    _write_captions(item, fields["captions"])
    audit_record(organization=item.organization, actor=actor, action="advocacy.content_edited",
                 target=item, data={"slug": item.slug})
    return item


def caption_block_problems(*, item: ContentItem) -> list[str]:
    """Messages for every caption the screening engine would block (disclosure included)."""
    rule = disclosure_rule(organization=item.organization)
    problems = []
    for caption in item.captions.all():
        text, _ = with_disclosure(caption.text, rule)
        result = screen_caption(organization=item.organization, text=text,
                                network=caption.network)
        if result.verdict == "block":
            reasons = "; ".join(f.message for f in result.findings)
            problems.append(f"{caption}: {reasons}")
    return problems


@transaction.atomic
def content_transition(
    *, item: ContentItem, actor: User, to_status: str, note: str = ""
) -> ContentItem:
    """Move an item along draft → in review → approved → archived, recording who and why.

    Guarantees: only allowed transitions happen; approval is by a second person (never the
    author); an item with a caption the engine would block cannot be approved; sending an item
    back to draft needs a reason the author can act on.
    """
    _require_editor(actor)
    item = ContentItem.objects.select_for_update().get(pk=item.pk)
    if item.organization_id != actor.organization_id:
        raise NotFound("No such content item.")
    current = item.status
    if to_status not in ALLOWED_TRANSITIONS.get(current, set()):
        raise Conflict(
            f"An item that is {item.get_status_display().lower()} cannot move to "
            f"{ContentItem.Status(to_status).label.lower()}."
        )
    note = note.strip()
    if to_status == ContentItem.Status.IN_REVIEW and not item.captions.exists():
        raise InvalidInput("Add at least one caption before sending the item for review.",
                           field="captions")
    returning = current == ContentItem.Status.IN_REVIEW and to_status == ContentItem.Status.DRAFT
    if returning and not note:
        raise InvalidInput("Say what needs to change, so the author knows what to fix.",
                           field="note")
    if to_status == ContentItem.Status.APPROVED:
        if item.author_id == actor.pk:
            raise PermissionDenied(
                "You wrote this item, so someone else in communications must approve it."
            )
        problems = caption_block_problems(item=item)
        if problems:
            raise InvalidInput(
                "These captions break the social media policy and cannot be approved: "
                + " | ".join(problems) + ". Return the item to draft and rewrite them.",
                field="captions",
            )
        item.approved_by, item.approved_at = actor, timezone.now()
    if to_status == ContentItem.Status.DRAFT:
        item.approved_by, item.approved_at = None, None
    item.status = to_status
    item.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    ContentEvent.objects.create(item=item, actor=actor, from_status=current, to_status=to_status,
                                note=note[:500])
    audit_record(organization=item.organization, actor=actor,
                 action=f"advocacy.content_{to_status}", target=item,
                 data={"from": current, "to": to_status, "note": note[:500]})
    return item


# --------------------------------------------------------------------------- guidance


@transaction.atomic
def guidance_save(
    *, actor: User, kind: str, title: str, body: str, position: int = 0, is_active: bool = True,
    card: GuidanceCard | None = None,
) -> GuidanceCard:
    """Create or edit an 'ideas of what is helpful' card."""
    _require_editor(actor)
    if kind not in GuidanceCard.Kind.values:
        raise InvalidInput("Choose whether this is something to post or to avoid.", field="kind")
    if not title.strip():
        raise InvalidInput("Give the card a short title.", field="title")
    if not body.strip():
        raise InvalidInput("Explain the idea in a sentence or two.", field="body")
    if card is None:
        card = GuidanceCard(organization=actor.organization)
    elif card.organization_id != actor.organization_id:
        raise NotFound("No such guidance card.")
    card.kind, card.title, card.body = kind, title.strip()[:150], body.strip()
    card.position, card.is_active = max(0, position), is_active
    card.save()
    audit_record(organization=actor.organization, actor=actor, action="advocacy.guidance_saved",
                 target=card, data={"kind": kind, "active": is_active})
    return card


# --------------------------------------------------------------------------- settings, profile


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
        raise InvalidInput("The daily limit must be between 0 (no limit) and 1000.",
                           field="daily_share_limit")
    if not 2 <= duplicate_nudge_threshold <= 1000:
        raise InvalidInput("The nudge threshold must be between 2 and 1000 colleagues.",
                           field="duplicate_nudge_threshold")
    hours: dict[str, list[int]] = {}
    for network, (start, end) in sharing_hours.items():
        if network not in Network.values:
            raise InvalidInput(f"Unknown network {network!r}.", field="sharing_hours")
        if not (0 <= start < end <= 24):
            raise InvalidInput(
                f"{Network(network).label}: sharing hours must run from an earlier hour to a "
                "later one between 0 and 24 (e.g. 8 to 20).", field=f"hours_{network}",
            )
        if (start, end) != (0, 24):
            hours[network] = [start, end]
    disabled = sorted(set(disabled_networks))
    if any(n not in Network.values for n in disabled):
        raise InvalidInput("Unknown network in the disabled list.", field="disabled_networks")
    if len(disabled) == len(Network.values):
        raise InvalidInput("Leave at least one network on, or employees cannot share at all.",
                           field="disabled_networks")
    obj = settings_for(organization=actor.organization)
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
        user=user, defaults={"organization_id": user.organization_id}
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
                f"{mastodon_instance!r} is not a Mastodon server name. Enter just the domain, "
                "e.g. mastodon.social.", field="mastodon_instance",
            ) from None
    profile.mastodon_instance = instance
    profile.leaderboard_opt_out = leaderboard_opt_out
    profile.digest_opt_out = digest_opt_out
    profile.save()
    return profile


# --------------------------------------------------------------------------- shares

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
    rules = rules or settings_for(organization=user.organization)
    if network in rules.disabled_networks:
        return f"Your organization does not share to {Network(network).label} from Chorus."
    now = now or timezone.now()
    local = _local_now(user.organization, now)
    hours = rules.sharing_hours.get(network)
    if hours and not hours[0] <= local.hour < hours[1]:
        return (f"Sharing to {Network(network).label} is open from {hours[0]:02d}:00 to "
                f"{hours[1]:02d}:00 ({user.organization.timezone}). Please come back then.")
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


# --------------------------------------------------------------------------- digest


def _iso_week(day: datetime.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_send_weekly(*, now: datetime.datetime | None = None) -> int:
    """E-mail each employee the items approved for them in the last seven days.

    Idempotent: a `DigestDelivery` row per person and ISO week is inserted before sending, in
    the same transaction, so a rerun (or a second worker) sends nothing twice and a failed send
    leaves no row, to be retried on the next run. People who opted out, leavers and paused
    advocates get nothing. Returns the number of e-mails sent.
    """
    from chorus.advocacy.selectors import feed_for

    now = now or timezone.now()
    week = _iso_week(now.date())
    since = now - datetime.timedelta(days=7)
    sent = 0
    recipients = (
        User.objects.filter(is_active=True, organization__isnull=False,
                            person_record__status=Person.Status.EMPLOYEE,
                            person_record__advocacy_paused_at__isnull=True)
        .exclude(advocate_profile__digest_opt_out=True)
        .select_related("organization", "person_record").order_by("pk")
    )
    for user in recipients.iterator(chunk_size=500):
        items = [i for i in feed_for(user=user, now=now) if (i.approved_at or now) >= since]
        if not items:
            continue
        try:
            with transaction.atomic():
                _, created = DigestDelivery.objects.get_or_create(
                    user=user, week=week,
                    defaults={"organization": user.organization, "item_count": len(items)},
                )
                if not created:
                    continue
                context = {"user": user, "items": items, "site_url": settings.SITE_URL}
                send_mail(
                    subject=f"{len(items)} new to share this week at {user.organization.name}",
                    message=render_to_string("advocacy/email/digest.txt", context),
                    html_message=render_to_string("advocacy/email/digest.html", context),
                    from_email=None, recipient_list=[user.email],
                )
                sent += 1
        except Exception:
            # One bad address must not stop everyone else's digest; the missing row retries it.
            logger.exception("weekly digest to user %s failed", user.pk)
    return sent
