"""Reads for the content hub, scoped to the user's organization (and audience) here only."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from chorus.advocacy.models import (
    Caption,
    Click,
    ContentEvent,
    ContentItem,
    GuidanceCard,
    Share,
)
from chorus.common.errors import NotFound
from chorus.people.models import User
from chorus.people.roles import Role

Audience = ContentItem.audience.through


def _count_of(model: type[Share] | type[Caption] | type[Click], fk: str) -> Coalesce:
    """How many `model` rows point at the outer row through `fk` (a correlated subquery)."""
    return Coalesce(Subquery(
        model._default_manager.filter(**{fk: OuterRef("pk")}).order_by().values(fk)
        .annotate(n=Count("pk")).values("n")[:1]), 0)


_UNSET: Any = object()


def feed_for(*, user: User, now: datetime.datetime | None = None,
             crisis: Any = _UNSET) -> QuerySet[ContentItem]:
    """Approved items inside their publish window, for everyone or for the user's department,
    newest first, with captions prefetched."""
    now = now or timezone.now()
    person = user.person
    department_id = person.department_id if person else None
    any_audience = Audience.objects.filter(contentitem_id=OuterRef("pk"))
    for_me = Q(~Exists(any_audience))
    if department_id is not None:
        for_me |= Q(Exists(any_audience.filter(department_id=department_id)))
    from chorus.advocacy.services.shares import crisis_in_force

    if crisis is _UNSET:  # the feed page passes the crisis it already read
        crisis = crisis_in_force(organization=user.organization)
    # Crisis mode pauses scheduled content: nothing scheduled to appear after it began.
    latest = min(now, crisis.active_since) if crisis is not None else now
    return (
        ContentItem.objects.filter(
            organization=user.organization, status=ContentItem.Status.APPROVED,
        )
        .filter(Q(publish_at__isnull=True) | Q(publish_at__lte=latest))
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .filter(for_me)
        .prefetch_related(Prefetch("captions", queryset=Caption.objects.order_by(
            "network", "position", "pk")))
        .order_by("-approved_at", "-pk")
    )


def feed_item_get(*, user: User, item_id: int) -> ContentItem:
    """One item from the user's feed; anything else (draft, expired, other department or
    organization) is a 404."""
    item = feed_for(user=user).filter(pk=item_id).first()
    if item is None:
        raise NotFound(gettext("This item is not available to share (it may have expired)."))
    return item


def content_list_for(
    *, user: User, status: str | None = None, query: str = ""
) -> QuerySet[ContentItem]:
    """Every item of the organization for communications staff, with counts for the list."""
    if not user.has_role(Role.COMMUNICATIONS):
        return ContentItem.objects.none()
    items = (
        ContentItem.objects.filter(organization=user.organization)
        .select_related("author", "approved_by")
        # Correlated counts: the paginator counts items only, a page counts for its rows.
        .annotate(share_count=_count_of(Share, "item"), caption_count=_count_of(Caption, "item"))
        .order_by("-updated_at", "-pk")
    )
    if status:
        items = items.filter(status=status)
    if query:
        items = items.filter(Q(title__icontains=query) | Q(tags__icontains=query))
    return items


def content_get_for_editor(*, user: User, item_id: int) -> ContentItem:
    item = (
        ContentItem.objects.filter(organization=user.organization, pk=item_id)
        .select_related("author", "approved_by")
        .prefetch_related("audience", "captions",
                          Prefetch("events", queryset=ContentEvent.objects.select_related("actor")))
        .first()
    )
    if item is None or not user.has_role(Role.COMMUNICATIONS):
        raise NotFound(gettext("No such content item."))
    return item


def content_image_item(*, user: User, item_id: int, preview: bool = False) -> ContentItem:
    """The item whose image (or cached link-preview image) this user may see: editors see
    all, others only their feed's."""
    if user.has_role(Role.COMMUNICATIONS):
        item = ContentItem.objects.filter(organization=user.organization, pk=item_id).first()
    else:
        item = feed_for(user=user).filter(pk=item_id).first()
    if item is None or not (item.preview_image if preview else item.image):
        raise NotFound(gettext("No such image."))
    return item


def guidance_list_for(*, user: User, active_only: bool = True) -> QuerySet[GuidanceCard]:
    cards = GuidanceCard.objects.filter(organization=user.organization)
    if active_only:
        cards = cards.filter(is_active=True)
    return cards.order_by("kind", "position", "pk")


def guidance_get(*, user: User, card_id: int) -> GuidanceCard:
    card = GuidanceCard.objects.filter(organization=user.organization, pk=card_id).first()
    if card is None:
        raise NotFound(gettext("No such guidance card."))
    return card


def share_list_for(*, user: User, mine: bool = True) -> QuerySet[Share]:
    """The user's own shares (or, for communications, everyone's) with click counts."""
    shares = (
        Share.objects.filter(organization=user.organization)
        .select_related("item", "user", "department")
        # A correlated count, not JOIN + GROUP BY: the paginator's COUNT(*) then skips it and
        # a page computes it for its own 25 rows only.
        .annotate(click_count=_count_of(Click, "share"))
        .order_by("-created_at", "-pk")
    )
    if mine or not user.has_role(Role.COMMUNICATIONS):
        shares = shares.filter(user=user)
    return shares
