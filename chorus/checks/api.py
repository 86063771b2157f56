"""`POST /api/v1/check`: the same output objects as `chorus check --format json`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from ninja import Field, Router, Schema
from pydantic import model_validator

from chorus.checks.services import screen_many
from chorus.common.api import InputSchema
from chorus.common.errors import InvalidInput
from chorus.common.types import AuthedRequest

router = Router(tags=["screening"])


class PostIn(InputSchema):
    id: str | None = Field(None, description="Your id for the post; echoed back.")
    text: str = Field(..., description="The post text (at most 100,000 characters).")
    network: str | None = Field(None, description="x, bluesky, mastodon, linkedin, facebook…")
    author: str | None = None
    context: dict[str, Any] | None = None


class CheckIn(InputSchema):
    """Either one post (`text`, optional `id`, `network`) or a batch (`posts`)."""

    id: str | None = None
    text: str | None = None
    network: str | None = None
    author: str | None = None
    posts: list[PostIn] | None = Field(None, description="Up to API_BATCH_LIMIT (1,000) posts.")

    @model_validator(mode="after")
    def one_or_many(self) -> CheckIn:
        if (self.text is None) == (self.posts is None):
            raise ValueError(
                "Send either `text` (one post) or `posts` (a batch), not both or neither."
            )
        return self


class FindingOut(Schema):
    rule_id: str
    category: str
    severity: str = Field(..., description="info | low | medium | high | critical")
    start: int
    end: int
    excerpt: str
    message: str
    suggestion: str | None = None


class ResultOut(Schema):
    id: str
    verdict: str = Field(..., description="allow | warn | block")
    categories: list[str]
    signals: list[str]
    findings: list[FindingOut]


class BatchOut(Schema):
    results: list[ResultOut]


@router.post(
    "",
    response={200: ResultOut | BatchOut},
    summary="Screen one post or a batch against your organization's policy",
    description="One post in, one result out; `posts: [...]` in, `results: [...]` out in the "
    "same order. A batch over the limit is refused with 422. Nothing is stored.",
)
def check(request: AuthedRequest, payload: CheckIn) -> dict[str, Any]:
    organization = request.auth.organization
    if payload.posts is not None:
        limit = settings.API_BATCH_LIMIT
        if len(payload.posts) > limit:
            raise InvalidInput(
                f"A batch holds at most {limit:,} posts; this one has {len(payload.posts):,}. "
                "Split it into smaller batches.",
                field="posts",
            )
        items = [p.dict() for p in payload.posts]
        return {
            "results": [r.to_dict() for r in screen_many(organization=organization, posts=items)]
        }
    item = {
        "id": payload.id or "-",
        "text": payload.text,
        "network": payload.network,
        "author": payload.author,
    }
    return next(iter(screen_many(organization=organization, posts=[item]))).to_dict()
