"""Content items (fields, captions, image), their workflow, and guidance cards."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from chorus.advocacy import networks
from chorus.advocacy.models import (
    ALLOWED_TRANSITIONS,
    Caption,
    ContentEvent,
    ContentItem,
    GuidanceCard,
)
from chorus.advocacy.networks import Network
from chorus.advocacy.screening import disclosure_rule, screen_caption, with_disclosure
from chorus.advocacy.services.base import CODE_LENGTH, MAX_CAPTIONS, MAX_TAGS, _require_editor
from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from chorus.common.uploads import validate_image
from chorus.people.models import Department, Organization, User


@dataclass(frozen=True)
class CaptionIn:
    network: str
    text: str
    language: str = ""  # empty: the source language (settings.LANGUAGE_CODE)


def caption_languages() -> dict[str, str]:
    """Language code -> name, for the languages a caption may be written in."""
    return {code: str(name) for code, name in settings.LANGUAGES}


def language_name(code: str) -> str:
    return caption_languages().get(code, code)


def reader_language(user: Any, active: str) -> str:
    """The language a person reads captions in: their own setting if they have one (issue
    16's per-person language), else the language this request is shown in."""
    own = getattr(user, "language", "") or ""
    return (own or active or settings.LANGUAGE_CODE).lower()


def captions_in_reading_order(captions: Iterable[Caption], language: str) -> list[Caption]:
    """The reader's language first, then the source language, then the others; variants
    keep their order within a language."""
    base = language.split("-")[0]

    def rank(c: Caption) -> tuple[int, str, int]:
        if c.language == language:
            first = 0
        elif c.language.split("-")[0] == base:
            first = 1
        elif c.language == settings.LANGUAGE_CODE:
            first = 2
        else:
            first = 3
        return (first, c.language, c.position)

    return sorted(captions, key=rank)


def share_link_of_typical_length() -> str:
    """A link as long as a tracked share link (the real one only exists at share time)."""
    return f"{settings.SITE_URL}/l/{'x' * CODE_LENGTH}"


def _clean_item_fields(
    *, organization: Organization, title: str, body: str, link: str, tags: Iterable[str],
    audience: Iterable[Department], publish_at: datetime.datetime | None,
    expires_at: datetime.datetime | None, captions: Sequence[CaptionIn],
) -> dict[str, Any]:
    title, body, link = title.strip(), body.strip(), link.strip()
    if not title:
        raise InvalidInput(
            gettext("Give the item a title employees will recognise."), field="title"
        )
    if not body:
        raise InvalidInput(
            gettext("Describe what this is and why it is worth sharing."), field="body"
        )
    try:
        URLValidator(schemes=["http", "https"])(link)
    except ValidationError:
        raise InvalidInput(
            gettext(
                "%(link_or_The_link)s is not a web address; paste the full link, starting with https://."
            )
            % {"link_or_The_link": link or "The link"},
            field="link",
        ) from None
    clean_tags: list[str] = []
    for tag in tags:
        tag = tag.strip().lstrip("#")
        if tag and tag.lower() not in {t.lower() for t in clean_tags}:
            clean_tags.append(tag[:40])
    if len(clean_tags) > MAX_TAGS:
        raise InvalidInput(
            gettext("Use at most %(MAX_TAGS)s tags.") % {"MAX_TAGS": MAX_TAGS}, field="tags"
        )
    if publish_at and expires_at and expires_at <= publish_at:
        raise InvalidInput(
            gettext("The expiry date must be after the publish date."), field="expires_at"
        )
    departments = list(audience)
    if any(d.organization_id != organization.pk for d in departments):
        raise InvalidInput(
            gettext("Choose departments of your own organization."), field="audience"
        )
    clean_captions = _clean_captions(organization=organization, captions=captions)
    return {
        "title": title[:200], "body": body, "link": link, "tags": clean_tags,
        "publish_at": publish_at, "expires_at": expires_at, "departments": departments,
        "captions": clean_captions,
    }


def _clean_captions(
    *, organization: Organization, captions: Sequence[CaptionIn]
) -> list[CaptionIn]:
    known = caption_languages()
    out = []
    for c in captions:
        language = (c.language or settings.LANGUAGE_CODE).strip().lower()
        if language not in known:
            raise InvalidInput(
                gettext("Unknown language “%(code)s” for a caption. Use one of: %(codes)s.")
                % {"code": language, "codes": ", ".join(known)},
                field="translations",
            )
        if c.text.strip():
            out.append(CaptionIn(network=c.network, text=c.text.strip(), language=language))
    if not any(c.language == settings.LANGUAGE_CODE for c in out) and out:
        raise InvalidInput(
            gettext("Write the captions in %(language)s first; translations come on top.")
            % {"language": language_name(settings.LANGUAGE_CODE)},
            field="captions",
        )
    if not out:
        raise InvalidInput(
            gettext("Write at least one suggested caption, so employees have a starting point."),
            field="captions",
        )
    per_language: dict[str, int] = {}
    for c in out:
        per_language[c.language] = per_language.get(c.language, 0) + 1
    if max(per_language.values()) > MAX_CAPTIONS:
        raise InvalidInput(
            gettext("Use at most %(MAX_CAPTIONS)s captions per item.")
            % {"MAX_CAPTIONS": MAX_CAPTIONS},
            field="captions",
        )
    rule = disclosure_rule(organization=organization)
    link = share_link_of_typical_length()
    variant_of: dict[tuple[str, str], int] = {}
    for caption in out:
        if caption.network not in Network.values:
            raise InvalidInput(
                gettext("Each caption needs a network: choose one."), field="captions"
            )
        key = (caption.language, caption.network)
        variant_of[key] = variant = variant_of.get(key, 0) + 1
        composed, _ = with_disclosure(caption.text, rule)
        problem = networks.length_problem(caption.network, composed, link)
        if problem:
            # Point at the network's own caption field (the form names it captions_<network>)
            # and at the variant within it, not at a global "Caption 3".
            if caption.language != settings.LANGUAGE_CODE:
                raise InvalidInput(
                    gettext(
                        "%(language)s, %(network)s, variant %(variant)s: %(problem)s The count "
                        "includes the tracked link and the disclosure hashtag."
                    )
                    % {"language": language_name(caption.language),
                       "network": Network(caption.network).label, "variant": variant,
                       "problem": problem},
                    field="translations",
                )
            raise InvalidInput(
                gettext(
                    "Variant %(variant)s: %(problem)s The count includes the tracked link and "
                    "the disclosure hashtag."
                )
                % {"variant": variant, "problem": problem},
                field=f"captions_{caption.network}",
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
    positions: dict[tuple[str, str], int] = {}
    for caption in captions:
        language = caption.language or settings.LANGUAGE_CODE
        position = positions.get((language, caption.network), 0)
        positions[(language, caption.network)] = position + 1
        Caption.objects.create(item=item, network=caption.network, text=caption.text,
                               position=position, language=language)


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
    organization = actor.org
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
            gettext(
                "This item is %(get_status_display)s; only drafts can be edited. Return it to "
                "draft first."
            )
            % {"get_status_display": item.get_status_display().lower()}
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
        raise NotFound(gettext("No such content item."))
    current = item.status
    if to_status not in ALLOWED_TRANSITIONS.get(current, set()):
        raise Conflict(
            gettext("An item that is %(get_status_display)s cannot move to %(Status)s.")
            % {
                "get_status_display": item.get_status_display().lower(),
                "Status": ContentItem.Status(to_status).label.lower(),
            }
        )
    note = note.strip()
    if to_status == ContentItem.Status.IN_REVIEW and not item.captions.exists():
        raise InvalidInput(gettext("Add at least one caption before sending the item for review."),
                           field="captions")
    returning = current == ContentItem.Status.IN_REVIEW and to_status == ContentItem.Status.DRAFT
    if returning and not note:
        raise InvalidInput(gettext("Say what needs to change, so the author knows what to fix."),
                           field="note")
    if to_status == ContentItem.Status.APPROVED:
        if item.author_id == actor.pk:
            raise PermissionDenied(
                gettext("You wrote this item, so someone else in communications must approve it.")
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
    from chorus.advocacy.services import notices

    if to_status == ContentItem.Status.IN_REVIEW:
        transaction.on_commit(partial(notices.notify_submitted, item=item))
    if returning:
        transaction.on_commit(partial(notices.notify_reviewed, item=item, approved=False,
                                      note=note[:500], actor=actor))  # fmt: skip
    if to_status == ContentItem.Status.APPROVED:
        # The hub card's link preview is fetched in the background, never during a request.
        from chorus.advocacy.tasks import content_drop_notify_task, item_preview_task
        from chorus.notifications.events import emit_event

        transaction.on_commit(partial(item_preview_task.enqueue, item_id=item.pk))
        transaction.on_commit(partial(notices.notify_reviewed, item=item, approved=True,
                                      note="", actor=actor))  # fmt: skip
        # The audience may be the whole company: telling them is a background task.
        transaction.on_commit(partial(content_drop_notify_task.enqueue, item_id=item.pk))
        emit_event(organization=item.organization, type="content.approved", data={
            "content_id": item.pk, "title": item.title, "approved_by": actor.pk,
            "approved_at": item.approved_at.isoformat() if item.approved_at else None,
        })  # fmt: skip
        from chorus.advocacy.services.sources import suggestion_published

        suggestion_published(item=item)
    return item


@transaction.atomic
def guidance_save(
    *, actor: User, kind: str, title: str, body: str, position: int = 0, is_active: bool = True,
    card: GuidanceCard | None = None,
) -> GuidanceCard:
    """Create or edit an 'ideas of what is helpful' card."""
    _require_editor(actor)
    if kind not in GuidanceCard.Kind.values:
        raise InvalidInput(
            gettext("Choose whether this is something to post or to avoid."), field="kind"
        )
    if not title.strip():
        raise InvalidInput(gettext("Give the card a short title."), field="title")
    if not body.strip():
        raise InvalidInput(gettext("Explain the idea in a sentence or two."), field="body")
    if card is None:
        card = GuidanceCard(organization=actor.organization)
    elif card.organization_id != actor.organization_id:
        raise NotFound(gettext("No such guidance card."))
    card.kind, card.title, card.body = kind, title.strip()[:150], body.strip()
    card.position, card.is_active = max(0, position), is_active
    card.save()
    audit_record(organization=actor.organization, actor=actor, action="advocacy.guidance_saved",
                 target=card, data={"kind": kind, "active": is_active})
    return card
