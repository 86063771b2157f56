"""Who hears about content: approvers when an item waits for review, the author when it is
approved or returned, and its audience when it goes live. Through the notification service."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from chorus.advocacy.models import ContentItem
from chorus.people.models import Person, User
from chorus.people.roles import Role


def content_audience(*, item: ContentItem) -> list[User]:
    """Active employees the item is for (its departments, or everyone), minus paused advocates
    and people who opted out of advocacy e-mail."""
    users = (
        User.objects.filter(organization_id=item.organization_id, is_active=True,
                            person_record__status=Person.Status.EMPLOYEE,
                            person_record__advocacy_paused_at__isnull=True)
        .exclude(advocate_profile__digest_opt_out=True)
    )  # fmt: skip
    departments = list(item.audience.values_list("pk", flat=True))
    if departments:
        users = users.filter(person_record__department_id__in=departments)
    return list(users.order_by("pk"))


def notify_submitted(*, item: ContentItem) -> None:
    from chorus.notifications.services import notify

    approvers = (
        User.objects.filter(organization_id=item.organization_id, is_active=True)
        .filter(Q(groups__name=Role.COMMUNICATIONS) | Q(groups__name=Role.ADMIN))
        .exclude(pk=item.author_id)
        .distinct()
    )
    notify(kind="advocacy.content_submitted", recipients=approvers,
           organization=item.organization, title=f"Review requested: {item.title}",
           body="An item is waiting for a second pair of eyes before it goes to the hub.",
           link=reverse("advocacy:content-detail", args=[item.pk]),
           dedupe_key=f"submitted:{item.pk}:{timezone.now():%Y%m%d%H%M%S%f}")  # fmt: skip


def notify_reviewed(*, item: ContentItem, approved: bool, note: str, actor: User) -> None:
    from chorus.notifications.services import notify

    if approved:
        kind, title = "advocacy.content_approved", f"Approved: {item.title}"
        body = f"{actor} approved it; it is on the hub for its audience."
    else:
        kind, title = "advocacy.content_returned", f"Changes requested: {item.title}"
        body = f"{actor} sent it back to draft: {note}"
    notify(kind=kind, recipients=[item.author], organization=item.organization, title=title,
           body=body, link=reverse("advocacy:content-detail", args=[item.pk]))  # fmt: skip


def content_drop_notify(*, item_id: int) -> int:
    """Tell the item's audience there is something new to share (once per item and person:
    the dedupe key makes a retried task a no-op). Returns how many were told."""
    from chorus.notifications.services import notify

    item = ContentItem.objects.select_related("organization").filter(pk=item_id).first()
    if item is None or item.status != ContentItem.Status.APPROVED:
        return 0
    created = notify(
        kind="advocacy.content_published", recipients=content_audience(item=item),
        organization=item.organization, title=f"New to share: {item.title}",
        body=item.body[:500],
        link=reverse("advocacy:share", args=[item.pk]), dedupe_key=f"drop:{item.pk}",
    )  # fmt: skip
    return len(created)
