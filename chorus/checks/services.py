"""Screening a text for an organization, and review requests.

`screen_text` is the one entry point other apps use to run the engine on something an
employee wrote. It never stores the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.checks.models import ReviewRequest
from chorus.common.errors import Conflict, InvalidInput, PermissionDenied
from chorus.common.metrics import SCREENING_SECONDS

if TYPE_CHECKING:
    from chorus.screening import Post, Result
    from chorus.screening.policy import Policy

MAX_TEXT_CHARS = 100_000


def screening_policy(*, organization: Any) -> Policy:
    """The organization's current published policy, or the balanced preset if none is published."""
    from chorus.screening.policy import Policy

    if not apps.is_installed("chorus.policy"):  # a minimal install screens with the preset
        return Policy.from_dict({"organization": {"name": organization.name}, "preset": "balanced"})
    from chorus.policy.selectors import screening_policy_for

    policy = screening_policy_for(organization=organization)
    if apps.is_installed("chorus.posture"):
        # Quiet periods and crisis mode tighten the policy while they last (issue 21).
        from chorus.posture.services import context_rules_for
        from chorus.screening.context_rules import apply_context

        policy = apply_context(policy, context_rules_for(organization=organization))
    return policy


def screening_heads(*, organization: Any) -> Any:
    """The organization's active learned heads (retrained from its reviewers' decisions in
    `chorus.supervision`), or None for the shipped model."""
    if not apps.is_installed("chorus.supervision"):
        return None
    from chorus.supervision.selectors import active_heads_for

    return active_heads_for(organization=organization)


def _post(text: str, *, post_id: str, network: str | None, author: str | None, field: str) -> Post:
    if not isinstance(text, str):
        raise InvalidInput("Text must be a string.", field=field)
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(
            f"The text is {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}. "
            "Check a shorter post.",
            field=field,
        )
    from chorus.screening import Post

    return Post(id=post_id, text=text, network=network, author=author)


def screen_text(
    *,
    organization: Any,
    text: str,
    network: str | None = None,
    author: str | None = None,
    post_id: str = "-",
) -> Result:
    """Screen one text against the organization's policy. Never stores the text.

    The time taken is observed in the `chorus_screening_seconds` histogram (`/metrics`)."""
    from chorus.screening import screener_for

    with SCREENING_SECONDS.time():
        policy = screening_policy(organization=organization)
        post = _post(text, post_id=post_id, network=network, author=author, field="text")
        heads = screening_heads(organization=organization)
        return screener_for(policy, heads=heads).check(post)


def screen_many(*, organization: Any, posts: Iterable[dict[str, Any]]) -> Iterator[Result]:
    """Screen several posts (dicts with id, text, network, author) in order, lazily."""
    from chorus.screening import screener_for

    screener = screener_for(screening_policy(organization=organization),
                            heads=screening_heads(organization=organization))
    for index, item in enumerate(posts):
        yield screener.check(
            _post(
                item.get("text", ""),
                post_id=str(item.get("id") or index),
                network=item.get("network"),
                author=item.get("author"),
                field=f"posts[{index}].text",
            )
        )


@transaction.atomic
def review_request_create(
    *, author: Any, text: str, network: str = "", question: str = ""
) -> ReviewRequest:
    """Store a draft the employee explicitly submitted for review, with the result they saw."""
    if not text.strip():
        raise InvalidInput("Write the post you want reviewed first.", field="text")
    result = screen_text(organization=author.organization, text=text, network=network or None)
    request = ReviewRequest.objects.create(
        organization=author.organization,
        author=author,
        text=text,
        network=network,
        result=result.to_dict(),
        question=question.strip(),
    )
    audit_record(
        organization=author.organization,
        actor=author,
        action="checks.review_requested",
        target=request,
        data={"verdict": result.verdict},
    )
    return request


@transaction.atomic
def review_request_answer(
    *, request: ReviewRequest, reviewer: Any, status: str, answer: str
) -> ReviewRequest:
    """Record a reviewer's answer; only communications or legal may answer, never the author."""
    if not (reviewer.has_role("communications") or reviewer.has_role("legal")):
        raise PermissionDenied("Only communications or legal can answer review requests.")
    if reviewer.pk == request.author_id:
        raise PermissionDenied("You cannot review your own post; ask a colleague.")
    locked = ReviewRequest.objects.select_for_update().get(pk=request.pk)
    if status not in locked.ALLOWED_TRANSITIONS[ReviewRequest.Status(locked.status)]:
        raise Conflict(f"This request is already “{locked.get_status_display()}”.")
    if status == ReviewRequest.Status.CHANGES and not answer.strip():
        raise InvalidInput("Say what should change so the author can fix it.", field="answer")
    locked.status, locked.reviewer, locked.answer = status, reviewer, answer.strip()
    locked.answered_at = timezone.now()
    locked.save(update_fields=["status", "reviewer", "answer", "answered_at", "updated_at"])
    audit_record(
        organization=locked.organization,
        actor=reviewer,
        action="checks.review_answered",
        target=locked,
        data={"status": status},
    )
    return locked
