"""What Slack and Teams share: finding the Chorus account behind a chat member, running a
check for them, and reading the content item a notification or a button is about."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils.translation import gettext

from chorus.common.errors import DomainError, InvalidInput, NotFound

if TYPE_CHECKING:
    from chorus.people.models import Organization, User

VERDICT_LABELS = {
    "block": "Don't post this: fix the marked parts first.",
    "warn": "Think twice: consider the notes below.",
    "allow": "Looks fine: nothing in your policy is against this post.",
}
MAX_FINDINGS_SHOWN = 10


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def member_by_email(*, organization: Organization, email: str) -> User | None:
    """The active Chorus account of `organization` with this e-mail address (case-insensitive).
    Callers pass only an address the chat platform says is verified."""
    from chorus.people.models import User

    email = (email or "").strip()
    if not email:
        return None
    return User.objects.filter(organization=organization, email__iexact=email,
                               is_active=True).first()


@dataclass(frozen=True)
class CheckOutcome:
    verdict: str
    headline: str
    protected: bool
    findings: list[dict[str, str]]
    more: int


def check_for(*, user: User, text: str) -> CheckOutcome:
    """Screen a draft for a person exactly as "Check my post" does (their organization's
    policy, the per-person rate limit); nothing is stored. Raises DomainError subclasses."""
    from chorus.checks.limits import check_budget, rate_limit_consume
    from chorus.checks.services import screen_text

    text = (text or "").strip()
    if not text:
        raise InvalidInput(
            gettext(
                "Add the draft after the command, e.g. /chorus check Our new robot ships next week!"
            ),
            field="text",
        )
    check_budget(characters=len(text))
    rate_limit_consume(user_id=user.pk, characters=len(text))
    result = screen_text(organization=user.org, text=text, network=None)
    findings = [
        {"severity": f.severity, "excerpt": f.excerpt[:80], "message": f.message,
         "suggestion": f.suggestion or ""}
        for f in sorted(result.findings, key=lambda f: (f.start, f.end))
    ]
    return CheckOutcome(
        verdict=result.verdict, headline=VERDICT_LABELS.get(result.verdict, result.verdict),
        protected="protected_activity" in result.signals,
        findings=findings[:MAX_FINDINGS_SHOWN], more=max(0, len(findings) - MAX_FINDINGS_SHOWN),
    )


PROTECTED_NOTE = ("Your rights: this post talks about pay, hours, working conditions or "
                  "organizing. That is protected; the policy never restricts it.")


def content_item(*, organization: Organization, item_id: Any) -> Any:
    """A content item of `organization` (another organization's id is NotFound)."""
    from chorus.advocacy.models import ContentItem

    try:
        pk = int(item_id)
    except (TypeError, ValueError):
        raise NotFound(gettext("No such content item.")) from None
    item = ContentItem.objects.select_related("author").filter(
        pk=pk, organization=organization).first()
    if item is None:
        raise NotFound(gettext("No such content item."))
    return item


def item_of_link(*, organization: Organization, link: str) -> tuple[str, Any] | None:
    """(url name, content item) when a notification's link points at a content item
    (review page or share page), else None."""
    if not link or not apps.is_installed("chorus.advocacy"):
        return None
    try:
        match = resolve(link.split("?", 1)[0])
    except Resolver404:
        return None
    if match.namespace != "advocacy" or "item_id" not in match.kwargs:
        return None
    try:
        return match.url_name or "", content_item(organization=organization,
                                                  item_id=match.kwargs["item_id"])
    except NotFound:
        return None


def can_approve(*, user: User, item: Any) -> bool:
    from chorus.advocacy.models import ContentItem
    from chorus.advocacy.services.base import is_editor

    return (item.status == ContentItem.Status.IN_REVIEW and is_editor(user)
            and item.author_id != user.pk)


def content_decide(*, user: User, item_id: Any, approve: bool, note: str = "") -> Any:
    """Approve an item in review, or send it back with a note, through advocacy's service
    (which enforces who may approve and what may be approved)."""
    from chorus.advocacy.models import ContentItem
    from chorus.advocacy.services import content_transition

    item = content_item(organization=user.org, item_id=item_id)
    to = ContentItem.Status.APPROVED if approve else ContentItem.Status.DRAFT
    return content_transition(item=item, actor=user, to_status=to, note=note)


def share_path(item: Any) -> str:
    from django.urls import reverse

    return reverse("advocacy:share", kwargs={"item_id": item.pk})


def detail_path(item: Any) -> str:
    from django.urls import reverse

    return reverse("advocacy:content-detail", kwargs={"item_id": item.pk})


__all__ = ["DomainError"]
