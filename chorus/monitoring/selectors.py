"""Reads for monitoring, scoped by organization and role. Managers and HR see account health,
never post content; an employee sees their own accounts, posts and alerts."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from chorus.common.errors import NotFound
from chorus.monitoring.models import (
    ARCHIVE_NETWORKS,
    ArchiveImport,
    ConsentRecord,
    IngestedPost,
    LinkedAccount,
    MonitoringAlert,
)
from chorus.people.models import User
from chorus.people.selectors import person_team_subquery


def account_list_for_owner(*, user: User) -> QuerySet[LinkedAccount]:
    """The user's own linked accounts (revoked ones too: they show the purge date)."""
    return (
        LinkedAccount.objects.filter(organization=user.organization, person__user=user)
        .annotate(post_count=Count("posts", distinct=True),
                  open_alerts=Count("alerts", filter=Q(alerts__status="open"), distinct=True))
        .order_by("status", "network", "handle")
    )


def account_get_for_owner(*, user: User, account_id: int) -> LinkedAccount:
    account = account_list_for_owner(user=user).filter(pk=account_id).first()
    if account is None:
        raise NotFound(gettext("No such linked account."))
    return account


def account_health_for(*, user: User, status: str | None = None) -> QuerySet[LinkedAccount]:
    """Account health for HR and administrators (everyone) or managers (their team): status,
    last read and errors. Deliberately no post content: it is not selected at all."""
    accounts = LinkedAccount.objects.filter(organization=user.organization).select_related(
        "person", "person__department")
    if not (user.has_role("hr") or user.has_role("admin")):
        me = user.person
        if me is None or not user.has_role("manager"):
            return accounts.none()
        accounts = accounts.filter(person_id__in=person_team_subquery(person=me))
    if status:
        accounts = accounts.filter(status=status)
    return accounts.only(
        "id", "network", "handle", "status", "last_read_at", "last_error", "last_error_at",
        "consented_at", "revoked_at", "purge_after", "person__full_name",
        "person__department__name", "organization_id",
    ).order_by("person__full_name", "network")


def post_list_for_owner(*, user: User, account: LinkedAccount) -> QuerySet[IngestedPost]:
    return IngestedPost.objects.filter(account=account, account__person__user=user).select_related(
        "alert").order_by("-published_at")


def archive_imports_for_owner(*, user: User, account: LinkedAccount) -> list[ArchiveImport]:
    """The owner's last few uploads of this account, newest first (the progress card)."""
    return list(ArchiveImport.objects.filter(
        account=account, account__person__user=user).order_by("-created_at", "-pk")[:3])


def alert_list_for_owner(*, user: User, status: str | None = None) -> QuerySet[MonitoringAlert]:
    """The employee's own alerts (coaching), newest first."""
    alerts = MonitoringAlert.objects.filter(
        organization=user.organization, person__user=user
    ).select_related("account", "post")
    if status:
        alerts = alerts.filter(status=status)
    return alerts.order_by("-created_at")


def alert_get_for_owner(*, user: User, alert_id: int) -> MonitoringAlert:
    alert = alert_list_for_owner(user=user).filter(pk=alert_id).first()
    if alert is None:
        raise NotFound(gettext("No such alert."))
    return alert


def consent_history_for_owner(*, user: User, account: LinkedAccount) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(account=account, person__user=user).order_by("created_at")


def pollable_account_ids() -> list[int]:
    return list(
        LinkedAccount.objects.exclude(status=LinkedAccount.Status.REVOKED)
        .filter(verified_at__isnull=False)
        .exclude(network__in=list(ARCHIVE_NETWORKS)).values_list("pk", flat=True)
    )


def stream_dids() -> set[str]:
    """DIDs of Bluesky accounts whose consent stands: the Jetstream filter."""
    return set(
        LinkedAccount.objects.filter(network="bluesky", verified_at__isnull=False).exclude(
            status=LinkedAccount.Status.REVOKED).values_list("external_id", flat=True)
    )
