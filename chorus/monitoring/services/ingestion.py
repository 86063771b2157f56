"""Ingestion: storing new and edited posts once, screening them, polling accounts and
importing archives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import NotFound
from chorus.connectors.base import AccountRef, ConnectorError, RemotePost, call_with_retries
from chorus.monitoring.models import (
    IngestedPost,
    LinkedAccount,
    MonitoringAlert,
    MonitoringSettings,
)
from chorus.monitoring.screening import ScreenFn, screener_for_organization
from chorus.monitoring.services.accounts import connector_for
from chorus.monitoring.services.alerts import _alert_after_screening
from chorus.monitoring.services.base import MAX_ARCHIVE_BYTES, IngestResult, MonitoringError
from chorus.monitoring.services.configuration import settings_get
from chorus.people.models import User


def _account_ref(account: LinkedAccount) -> AccountRef:
    return AccountRef(handle=account.handle, external_id=account.external_id,
                      instance=account.instance)


def _screen(post: IngestedPost, screen: ScreenFn) -> dict[str, Any]:
    result = screen(post.text, post.network)
    post.verdict = result.get("verdict", "allow")
    post.findings = result.get("findings", [])
    post.protected_activity = "protected_activity" in result.get("signals", [])
    return result


def apply_remote_post(
    *, account: LinkedAccount, remote: RemotePost, screen: ScreenFn, result: IngestResult,
    alert_settings: MonitoringSettings,
) -> IngestedPost | None:
    """Store or update one post of `account` (inside the caller's transaction)."""
    if remote.published_at < account.read_from:
        result.skipped_before_consent += 1
        return None
    if remote.is_repost:
        # A plain repost carries someone else's words, not the employee's.
        result.skipped_reposts += 1
        return None
    existing = IngestedPost.objects.filter(network=account.network,
                                           external_id=remote.external_id).first()
    if existing is not None:
        if existing.account_id != account.pk:
            result.unchanged += 1  # the same post under an older, revoked link
            return existing
        if existing.text == remote.text and existing.deleted_at is None:
            result.unchanged += 1
            return existing
        existing.text = remote.text
        existing.edited_at = remote.edited_at or timezone.now()
        existing.deleted_at = None
        _screen(existing, screen)
        existing.save(update_fields=["text", "edited_at", "deleted_at", "verdict", "findings",
                                     "protected_activity", "updated_at"])
        result.updated += 1
        _alert_after_screening(post=existing, settings=alert_settings, result=result,
                               edited=True)
        return existing
    post = IngestedPost(
        organization_id=account.organization_id, account=account, network=account.network,
        external_id=remote.external_id, url=remote.url[:500], text=remote.text,
        published_at=remote.published_at, edited_at=remote.edited_at,
    )
    _screen(post, screen)
    post.save()
    _confirm_shares(account=account, post=post)
    result.created += 1
    _alert_after_screening(post=post, settings=alert_settings, result=result, edited=False)
    return post


def store_new_posts(
    *, items: list[tuple[LinkedAccount, RemotePost]], screen_for: Any, settings_for: Any,
    result: IngestResult,
) -> None:
    """Store a batch of posts (the stream's hot path), inside the caller's transaction.

    Existing ids are found with one query and new posts inserted with one `bulk_create`; a post
    seen before (a replay, an edit) goes through `apply_remote_post`. If another process stored
    one of the posts meanwhile, the batch falls back to one savepoint per post.
    """
    if not items:
        return
    network = items[0][0].network
    ids = {remote.external_id for _, remote in items}
    known = set(IngestedPost.objects.filter(network=network, external_id__in=ids)
                .values_list("external_id", flat=True))
    fresh: list[tuple[LinkedAccount, IngestedPost]] = []
    for account, remote in items:
        if remote.external_id in known:
            apply_remote_post(account=account, remote=remote, result=result,
                              screen=screen_for(account),
                              alert_settings=settings_for(account))
            continue
        if remote.published_at < account.read_from:
            result.skipped_before_consent += 1
            continue
        if remote.is_repost:
            result.skipped_reposts += 1
            continue
        post = IngestedPost(
            organization_id=account.organization_id, account=account, network=account.network,
            external_id=remote.external_id, url=remote.url[:500], text=remote.text,
            published_at=remote.published_at, edited_at=remote.edited_at,
        )
        _screen(post, screen_for(account))
        fresh.append((account, post))
        known.add(remote.external_id)
    if not fresh:
        return
    try:
        with transaction.atomic():
            IngestedPost.objects.bulk_create([post for _, post in fresh])
    except IntegrityError:
        for account, post in fresh:
            remote = RemotePost(external_id=post.external_id, text=post.text,
                                published_at=post.published_at, url=post.url,
                                edited_at=post.edited_at)
            try:
                with transaction.atomic():
                    apply_remote_post(account=account, remote=remote, result=result,
                                      screen=screen_for(account),
                                      alert_settings=settings_for(account))
            except IntegrityError:
                result.unchanged += 1
        return
    result.created += len(fresh)
    for account, post in fresh:
        _confirm_shares(account=account, post=post)
    for account, post in fresh:
        if post.findings and not post.protected_activity:
            _alert_after_screening(post=post, settings=settings_for(account), result=result,
                                   edited=False)


def _confirm_shares(*, account: LinkedAccount, post: IngestedPost) -> None:
    """A new post on a proven account that carries one of the owner's tracked share links
    confirms that share (advocacy counts confirmed shares only)."""
    user = account.person.user if "/l/" in post.text else None
    if user is None:
        return
    try:
        from chorus.advocacy.services import shares_confirm_seen
    except ImportError:  # advocacy not installed
        return
    shares_confirm_seen(user=user, network=account.network, text=post.text,
                        url=post.url)


def apply_remote_delete(*, account: LinkedAccount, external_id: str) -> bool:
    """The author deleted the post: forget its text and close its alert."""
    post = IngestedPost.objects.filter(account=account, network=account.network,
                                       external_id=external_id, deleted_at__isnull=True).first()
    if post is None:
        return False
    post.deleted_at = timezone.now()
    post.text = ""
    post.findings = []
    post.save(update_fields=["deleted_at", "text", "findings", "updated_at"])
    MonitoringAlert.objects.filter(post=post).exclude(
        status=MonitoringAlert.Status.RESOLVED).update(
        status=MonitoringAlert.Status.RESOLVED, resolution="The post was deleted.",
        updated_at=timezone.now())
    return True


def ingest_posts(
    *, account_id: int, posts: list[RemotePost], cursor: str | None,
    screen: ScreenFn | None = None, recent: list[RemotePost] | None = None,
) -> IngestResult:
    """Store a batch read from one account and move its cursor, in one transaction.

    `recent` (the newest page as the network shows it now) reconciles edits and deletions:
    a stored post inside that page's id range but missing from it was deleted.
    """
    result = IngestResult()
    with transaction.atomic():
        account = LinkedAccount.objects.select_for_update().select_related("organization").get(
            pk=account_id)
        if not account.is_monitored:
            # Consent was withdrawn while we were reading, or ownership is not proven (an
            # unproven link monitors nothing): store nothing.
            return result
        screen = screen or screener_for_organization(account.organization)
        alert_settings = settings_get(organization=account.organization)
        for remote in posts:
            apply_remote_post(account=account, remote=remote, screen=screen, result=result,
                              alert_settings=alert_settings)
        if recent is not None:
            _reconcile_recent(account=account, recent=recent, screen=screen, result=result,
                              alert_settings=alert_settings)
        fields = ["last_read_at", "last_error", "consecutive_failures", "status", "updated_at"]
        if cursor:
            account.cursor = cursor
            fields.append("cursor")
        account.last_read_at = timezone.now()
        account.last_error = ""
        account.consecutive_failures = 0
        account.status = LinkedAccount.Status.ACTIVE
        account.save(update_fields=fields)
    return result


def _reconcile_recent(
    *, account: LinkedAccount, recent: list[RemotePost], screen: ScreenFn, result: IngestResult,
    alert_settings: MonitoringSettings,
) -> None:
    if not recent:
        return
    oldest = min(p.published_at for p in recent)
    by_id = {p.external_id: p for p in recent}
    stored = IngestedPost.objects.filter(account=account, published_at__gte=oldest,
                                         deleted_at__isnull=True)
    for post in stored:
        remote = by_id.get(post.external_id)
        if remote is None:
            apply_remote_delete(account=account, external_id=post.external_id)
        elif remote.text != post.text:
            apply_remote_post(account=account, remote=remote, screen=screen, result=result,
                              alert_settings=alert_settings)


@dataclass
class PollOutcome:
    ok: bool
    created: int = 0
    updated: int = 0
    error: str = ""


def account_poll(*, account_id: int, sleep: Any = None) -> PollOutcome:
    """Read new posts of one account now. Transient errors are retried with backoff (and
    Retry-After); a permanent one marks the account as needing attention with its message."""
    account = LinkedAccount.objects.select_related("organization").get(pk=account_id)
    if account.status == LinkedAccount.Status.REVOKED or account.is_archive:
        return PollOutcome(ok=True)
    if account.verified_at is None:
        return PollOutcome(ok=False, error="Nothing is read until you prove that this account "
                                           "is yours: add the code shown on its page.")
    connector = connector_for(account.network)
    ref = _account_ref(account)
    kwargs = {"sleep": sleep} if sleep is not None else {}
    try:
        page = call_with_retries(
            lambda: connector.fetch_new(ref, cursor=account.cursor or None,
                                        since=account.read_from), **kwargs)
        recent = call_with_retries(lambda: connector.fetch_recent(ref), **kwargs)
    except ConnectorError as exc:
        _record_failure(account_id=account.pk, error=exc)
        return PollOutcome(ok=False, error=exc.message)
    outcome = ingest_posts(account_id=account.pk, posts=page.posts, cursor=page.cursor,
                           recent=recent)
    return PollOutcome(ok=True, created=outcome.created, updated=outcome.updated)


def _record_failure(*, account_id: int, error: ConnectorError) -> None:
    with transaction.atomic():
        account = LinkedAccount.objects.select_for_update().get(pk=account_id)
        if account.status == LinkedAccount.Status.REVOKED:
            return
        account.last_error = error.message
        account.last_error_at = timezone.now()
        account.consecutive_failures += 1
        # A transient failure that keeps happening also needs a person to look at it.
        if error.permanent or account.consecutive_failures >= 5:
            account.status = LinkedAccount.Status.NEEDS_ATTENTION
        account.save(update_fields=["last_error", "last_error_at", "consecutive_failures",
                                    "status", "updated_at"])


def account_mark_attention(*, account: LinkedAccount, message: str) -> None:
    """Used by the stream when the network reports the account deactivated or deleted."""
    _record_failure(account_id=account.pk, error=ConnectorError(message, permanent=True))


def archive_import(*, user: User, account: LinkedAccount, data: bytes,
                   filename: str = "") -> IngestResult:
    """Import posts from an export the person uploaded for their own upload-type account."""
    if account.person.user_id != user.pk:
        raise NotFound("No such linked account.")
    if not account.is_archive:
        raise MonitoringError("This account is read automatically; there is nothing to upload.")
    if account.status == LinkedAccount.Status.REVOKED:
        raise MonitoringError("You withdrew consent for this account; link it again first.")
    if not data:
        raise MonitoringError("The file is empty. Choose the file from your export.",
                              field="file")
    if len(data) > MAX_ARCHIVE_BYTES:
        raise MonitoringError("The file is larger than 50 MB. Upload only data/tweets.js or "
                              "Shares.csv rather than the whole archive.", field="file")
    try:
        posts = connector_for(account.network).parse_archive(data, filename=filename)
    except ConnectorError as exc:
        raise MonitoringError(exc.message, field="file") from None
    result = ingest_posts(account_id=account.pk, posts=posts, cursor=None)
    audit_record(organization=account.organization, actor=user, action="monitoring.imported",
                 target=account, data={"file": filename[:100], "posts": len(posts),
                                       "created": result.created})
    return result
