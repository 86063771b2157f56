"""`POST /api/v1/check`: the same output objects as `chorus check --format json`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from ninja import Field, Router, Schema
from pydantic import model_validator

from chorus.checks.jobs import check_job_create, check_job_get
from chorus.checks.limits import CheckRateLimited, check_budget, rate_limit_consume
from chorus.checks.models import CheckJob
from chorus.checks.services import MAX_TEXT_CHARS, screen_many
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


class JobAcceptedOut(Schema):
    job_id: str
    status: str = Field(..., description="queued | running | done | failed")
    total: int = Field(..., description="Posts in the batch.")
    result_url: str = Field(..., description="GET it until `status` is done or failed.")


class CheckJobOut(Schema):
    job_id: str
    status: str = Field(..., description="queued | running | done | failed")
    total: int
    done: int = Field(..., description="Posts screened so far.")
    results: list[ResultOut] | None = Field(
        None, description="When done: the same objects, in the same order, as a direct call."
    )
    error: str | None = None
    result_url: str


class LimitOut(Schema):
    detail: str
    field: str | None = None
    retry_after: int | None = Field(None, description="Seconds; also the Retry-After header.")


def _job_body(job: CheckJob) -> dict[str, Any]:
    url = reverse("api:check-job", kwargs={"job_id": job.public_id})
    return {"job_id": job.public_id, "status": job.status, "total": job.total, "done": job.done,
            "results": job.results if job.status == CheckJob.Status.DONE else None,
            "error": job.error or None, "result_url": url}  # fmt: skip


def _limited(exc: CheckRateLimited) -> HttpResponse:
    response = JsonResponse({"detail": exc.message, "retry_after": exc.retry_after}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@router.post(
    "",
    response={200: ResultOut | BatchOut, 202: JobAcceptedOut, 413: LimitOut, 429: LimitOut},
    summary="Screen one post or a batch against your organization's policy",
    description="One post in, one result out; `posts: [...]` in, `results: [...]` out in the "
    "same order. A batch over the limit is refused with 422. Nothing is stored.\n\n"
    "A batch with more than `CHECK_SYNC_MAX_CHARS` characters of text (200,000 by default) "
    "is screened in the background instead: the answer is 202 with `result_url` (also the "
    "`Location` header); GET it until `status` is `done`, when `results` holds the same "
    "objects. The posts are kept only until screened, the results for a day. A request over "
    "`CHECK_MAX_CHARS` characters is refused with 413; more than the per-person rate limit "
    "(requests a minute, characters an hour) with 429 and `Retry-After`.",
)
def check(request: AuthedRequest, payload: CheckIn) -> Any:
    user = request.auth
    organization = user.organization
    if payload.posts is not None:
        limit = settings.API_BATCH_LIMIT
        if len(payload.posts) > limit:
            raise InvalidInput(
                f"A batch holds at most {limit:,} posts; this one has {len(payload.posts):,}. "
                "Split it into smaller batches.",
                field="posts",
            )
        items = [p.dict() for p in payload.posts]
    else:
        items = [{"id": payload.id or "-", "text": payload.text, "network": payload.network,
                  "author": payload.author}]  # fmt: skip
    characters = sum(len(item["text"] or "") for item in items)
    check_budget(characters=characters)
    try:
        rate_limit_consume(user_id=user.pk, characters=characters)
    except CheckRateLimited as exc:
        return _limited(exc)
    if payload.posts is not None and characters > settings.CHECK_SYNC_MAX_CHARS:
        for index, item in enumerate(items):  # refuse bad posts now, not in the worker
            if len(item["text"]) > MAX_TEXT_CHARS:
                raise InvalidInput(
                    f"The text is {len(item['text']):,} characters; the limit is "
                    f"{MAX_TEXT_CHARS:,}. Check a shorter post.",
                    field=f"posts[{index}].text",
                )
        try:
            job = check_job_create(user=user, posts=items, characters=characters)
        except CheckRateLimited as exc:
            return _limited(exc)
        body = _job_body(job)
        response = JsonResponse({k: body[k] for k in ("job_id", "status", "total", "result_url")},
                                status=202)  # fmt: skip
        response["Location"] = body["result_url"]
        return response
    if payload.posts is not None:
        return {
            "results": [r.to_dict() for r in screen_many(organization=organization, posts=items)]
        }
    return next(iter(screen_many(organization=organization, posts=items))).to_dict()


@router.get(
    "/jobs/{job_id}",
    response=CheckJobOut,
    url_name="check-job",
    summary="Status and, when done, the results of a batch check",
    description="Only the person who sent the batch sees it; results are kept for a day.",
)
def check_job(request: AuthedRequest, job_id: str) -> dict[str, Any]:
    return _job_body(check_job_get(user=request.auth, public_id=job_id[:64]))
