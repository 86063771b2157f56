"""`/api/v1/advocacy`: content, workflow, shares and analytics, scoped to the caller's
organization. Domain errors map to HTTP in config/api.py."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from chorus.advocacy import analytics
from chorus.advocacy.models import ContentItem, Share
from chorus.advocacy.selectors import (
    content_get_for_editor,
    content_list_for,
    feed_for,
    feed_item_get,
    share_list_for,
)
from chorus.advocacy.services import (
    CaptionIn,
    content_create,
    content_transition,
    is_editor,
    short_link,
)
from chorus.advocacy.services import share_create as share_create_service
from chorus.common.api import Id, InputSchema
from chorus.common.errors import InvalidInput, PermissionDenied
from chorus.common.types import AuthedRequest
from chorus.people.models import Department

router = Router(tags=["advocacy"])


class CaptionSchema(InputSchema):
    network: str = Field(..., description="x, bluesky, mastodon, linkedin or facebook")
    text: str


class CaptionOut(Schema):
    network: str
    text: str
    id: int


class ContentIn(InputSchema):
    title: str
    body: str
    link: str
    captions: list[CaptionSchema]
    tags: list[str] = []
    audience: list[str] = Field([], description="Department names; empty means everyone.")
    publish_at: datetime.datetime | None = None
    expires_at: datetime.datetime | None = None


class ContentOut(Schema):
    id: int
    slug: str
    title: str
    body: str
    link: str
    status: str
    tags: list[str]
    audience: list[str]
    publish_at: datetime.datetime | None
    expires_at: datetime.datetime | None
    approved_at: datetime.datetime | None
    captions: list[CaptionOut]


class TransitionIn(InputSchema):
    note: str = ""


class ShareIn(InputSchema):
    item_id: Id
    network: str
    text: str
    caption_id: Id | None = None
    mastodon_instance: str = ""


class ShareOut(Schema):
    id: int
    item_id: int
    network: str
    text: str
    short_link: str
    target_url: str
    intent_url: str
    created_at: datetime.datetime
    clicks: int


def _content_out(item: ContentItem) -> dict[str, Any]:
    return {
        "id": item.pk, "slug": item.slug, "title": item.title, "body": item.body,
        "link": item.link, "status": item.status, "tags": item.tags,
        "audience": [d.name for d in item.audience.all()], "publish_at": item.publish_at,
        "expires_at": item.expires_at, "approved_at": item.approved_at,
        "captions": [{"id": c.pk, "network": c.network, "text": c.text}
                     for c in item.captions.all()],
    }


def _share_out(share: Share, clicks: int | None = None) -> dict[str, Any]:
    return {
        "id": share.pk, "item_id": share.item_id, "network": share.network, "text": share.text,
        "short_link": short_link(share.code), "target_url": share.target_url,
        "intent_url": share.intent_url, "created_at": share.created_at,
        "clicks": getattr(share, "click_count", clicks or 0),
    }


@router.get("/content", response=list[ContentOut], summary="Content: the whole hub for "
            "communications, the caller's feed for everyone else")
def content_list(request: AuthedRequest, status: str | None = None) -> list[dict[str, Any]]:
    user = request.auth
    if is_editor(user):
        items = content_list_for(user=user, status=status).prefetch_related("audience", "captions")
    else:
        items = feed_for(user=user).prefetch_related("audience")
    return [_content_out(i) for i in items[:200]]


@router.get("/content/{item_id}", response=ContentOut, summary="One content item")
def content_get(request: AuthedRequest, item_id: int) -> dict[str, Any]:
    user = request.auth
    item = (content_get_for_editor(user=user, item_id=item_id) if is_editor(user)
            else feed_item_get(user=user, item_id=item_id))
    return _content_out(item)


@router.post("/content", response={201: ContentOut}, summary="Create a draft (communications)")
def content_create_endpoint(request: AuthedRequest, payload: ContentIn) -> Status:
    user = request.auth
    departments = list(Department.objects.filter(organization=user.organization,
                                                 name__in=payload.audience))
    missing = set(payload.audience) - {d.name for d in departments}
    if missing:
        raise InvalidInput(
            gettext("Unknown department %(sorted)s.") % {"sorted": repr(sorted(missing)[0])},
            field="audience",
        )
    item = content_create(
        actor=user, title=payload.title, body=payload.body, link=payload.link,
        captions=[CaptionIn(network=c.network, text=c.text) for c in payload.captions],
        tags=payload.tags, audience=departments, publish_at=payload.publish_at,
        expires_at=payload.expires_at,
    )
    return Status(201, _content_out(item))


@router.post("/content/{item_id}/submit", response=ContentOut, summary="Send a draft for review")
def content_submit(request: AuthedRequest, item_id: int, payload: TransitionIn) -> dict[str, Any]:
    return _move(request, item_id, ContentItem.Status.IN_REVIEW, payload.note)


@router.post("/content/{item_id}/approve", response=ContentOut,
             summary="Approve an item in review (not its author)")
def content_approve(request: AuthedRequest, item_id: int, payload: TransitionIn) -> dict[str, Any]:
    return _move(request, item_id, ContentItem.Status.APPROVED, payload.note)


@router.post("/content/{item_id}/archive", response=ContentOut, summary="Archive an item")
def content_archive(request: AuthedRequest, item_id: int, payload: TransitionIn) -> dict[str, Any]:
    return _move(request, item_id, ContentItem.Status.ARCHIVED, payload.note)


def _move(request: AuthedRequest, item_id: int, to_status: str, note: str) -> dict[str, Any]:
    user = request.auth
    if not is_editor(user):
        raise PermissionDenied(gettext("Only communications staff can manage advocacy content."))
    item = content_get_for_editor(user=user, item_id=item_id)
    content_transition(item=item, actor=user, to_status=to_status, note=note)
    return _content_out(content_get_for_editor(user=user, item_id=item_id))


@router.get("/shares", response=list[ShareOut], summary="Your shares (communications: "
            "everyone's with ?all=true)")
def shares_list(request: AuthedRequest, all: bool = False) -> list[dict[str, Any]]:
    return [_share_out(s) for s in share_list_for(user=request.auth, mine=not all)[:500]]


@router.post("/shares", response={201: ShareOut}, summary="Record a share and get its "
             "tracked link and share-intent URL")
def shares_create(request: AuthedRequest, payload: ShareIn) -> Status:
    user = request.auth
    item = feed_item_get(user=user, item_id=payload.item_id)
    caption = None
    if payload.caption_id is not None:
        caption = next((c for c in item.captions.all() if c.pk == payload.caption_id), None)
        if caption is None:
            raise InvalidInput(gettext("No such caption for this item."), field="caption_id")
    share = share_create_service(
        user=user, item=item, network=payload.network, text=payload.text, caption=caption,
        mastodon_instance=payload.mastodon_instance,
    )
    return Status(201, _share_out(share, clicks=0))


class BreakdownOut(Schema):
    label: str
    shares: int
    clicks: int
    visitors: int


class DayOut(Schema):
    day: datetime.date
    shares: int
    clicks: int


class AnalyticsOut(Schema):
    start: datetime.date
    end: datetime.date
    shares: int
    clicks: int
    unique_visitors: int
    advocates: int
    by_day: list[DayOut]
    by_content: list[BreakdownOut]
    by_network: list[BreakdownOut]
    by_department: list[BreakdownOut]


@router.get("/analytics", response=AnalyticsOut, summary="Shares and clicks (communications)")
def analytics_get(
    request: AuthedRequest,
    days: int = Query(30, ge=1, le=366, description="The period: the last 1 to 366 days."),
) -> dict[str, Any]:
    user = request.auth
    if not is_editor(user):
        raise PermissionDenied(gettext("Analytics are for communications staff."))
    if not 1 <= days <= 366:
        raise InvalidInput(gettext("days must be between 1 and 366."), field="days")
    data = analytics.analytics_for(organization=user.org,
                                   period=analytics.period_ending_today(days))
    return {
        "start": data.period.start, "end": data.period.end, "shares": data.shares,
        "clicks": data.clicks, "unique_visitors": data.visitors, "advocates": data.advocates,
        "by_day": data.by_day, "by_content": [vars(b) for b in data.by_content],
        "by_network": [vars(b) for b in data.by_network],
        "by_department": [vars(b) for b in data.by_department],
    }
