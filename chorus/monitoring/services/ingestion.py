"""Ingestion: storing new and edited posts once, screening them, polling accounts and
importing archives."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, DomainError, NotFound
from chorus.connectors.archives import Progress
from chorus.connectors.base import (
    AccountRef,
    CombinedPostReader,
    ConnectorError,
    RemotePost,
    call_with_retries,
)
from chorus.monitoring.models import (
    ArchiveImport,
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
from chorus.monitoring.services.images import image_findings, post_images_queue
from chorus.people.models import User

logger = logging.getLogger(__name__)
ARCHIVE_BATCH = 500  # posts stored per transaction while importing an export
ACTIVE_IMPORT = (ArchiveImport.Status.QUEUED, ArchiveImport.Status.RUNNING)


def _account_ref(account: LinkedAccount) -> AccountRef:
    return AccountRef(handle=account.handle, external_id=account.external_id,
                      instance=account.instance)


def _screen(post: IngestedPost, screen: ScreenFn) -> dict[str, Any]:
    result = screen(post.text, post.network)
    post.verdict = result.get("verdict", "allow")
    # Findings of the post's images (read by OCR) stay until the images are read again.
    post.findings = result.get("findings", []) + image_findings(post)
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
        post_images_queue(post=existing, media=remote.media)
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
    post_images_queue(post=post, media=remote.media)
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
    media: dict[str, tuple[Any, ...]] = {}
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
        media[remote.external_id] = remote.media
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
                                edited_at=post.edited_at,
                                media=media.get(post.external_id, ()))
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
        if media.get(post.external_id):
            if post.pk is None:  # a backend that does not return ids from bulk inserts
                post = IngestedPost.objects.get(network=post.network,
                                                external_id=post.external_id)
            post_images_queue(post=post, media=media[post.external_id])
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
        if isinstance(connector, CombinedPostReader):
            # One download serves both questions (RSS): never fetch the same feed twice.
            page, recent = call_with_retries(
                lambda: connector.fetch_new_and_recent(ref, cursor=account.cursor or None,
                                                       since=account.read_from), **kwargs)
        else:
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
        newly = False
        if error.permanent or account.consecutive_failures >= 5:
            newly = account.status != LinkedAccount.Status.NEEDS_ATTENTION
            account.status = LinkedAccount.Status.NEEDS_ATTENTION
        account.save(update_fields=["last_error", "last_error_at", "consecutive_failures",
                                    "status", "updated_at"])
        if newly:
            _notify_attention(account)


def _notify_attention(account: LinkedAccount) -> None:
    """Tell the account's owner once per episode (the dedupe key holds the failure time)."""
    from functools import partial

    from django.urls import reverse

    from chorus.notifications.services import notify

    owner = account.person.user if account.person.user_id else None
    if owner is None:
        return
    transaction.on_commit(partial(
        notify, kind="monitoring.account_attention", recipients=[owner],
        organization=account.person.organization,
        title=f"Your linked {account.get_network_display()} account needs attention",
        body=f"Chorus cannot read {account.handle} any more: {account.last_error[:300]} "
             "Reconnect it or revoke your consent on the account page.",
        link=reverse("monitoring:account-detail", args=[account.pk]),
        dedupe_key=f"attention:{account.pk}:{account.last_error_at:%Y%m%d%H%M%S}",
    ))  # fmt: skip


def account_mark_attention(*, account: LinkedAccount, message: str) -> None:
    """Used by the stream when the network reports the account deactivated or deleted."""
    _record_failure(account_id=account.pk, error=ConnectorError(message, permanent=True))


def _check_archive_target(*, user: User, account: LinkedAccount) -> None:
    if account.person.user_id != user.pk:
        raise NotFound(gettext("No such linked account."))
    if not account.is_archive:
        raise MonitoringError(
            gettext("This account is read automatically; there is nothing to upload.")
        )
    if account.status == LinkedAccount.Status.REVOKED:
        raise MonitoringError(
            gettext("You withdrew consent for this account; link it again first.")
        )


def _archive_too_large() -> MonitoringError:
    return MonitoringError(
        f"The file is larger than {MAX_ARCHIVE_BYTES // 1_048_576} MB. Upload only "
        "data/tweets.js or Shares.csv rather than the whole archive.", field="file")


def archive_import(*, user: User, account: LinkedAccount, data: bytes, filename: str = "",
                   progress: Progress | None = None) -> IngestResult:
    """Import posts from an export the person uploaded for their own upload-type account,
    now, in the caller's process (the worker, via ``archive_import_run``; tests). ``progress``
    receives (done, total) while a .zip is unpacked and while posts are stored."""
    _check_archive_target(user=user, account=account)
    if not data:
        raise MonitoringError(gettext("The file is empty. Choose the file from your export."),
                              field="file")
    if len(data) > MAX_ARCHIVE_BYTES:
        raise _archive_too_large()
    unpack = (lambda done, total: progress(done, 2 * total)) if progress else None
    try:
        posts = connector_for(account.network).parse_archive(data, filename=filename,
                                                             progress=unpack)
    except ConnectorError as exc:
        raise MonitoringError(exc.message, field="file") from None
    del data
    result = IngestResult()
    # Stored in batches, each its own transaction, so progress shows and no lock is held long.
    for start in range(0, len(posts), ARCHIVE_BATCH):
        batch = ingest_posts(account_id=account.pk, posts=posts[start:start + ARCHIVE_BATCH],
                             cursor=None)
        for name in ("created", "updated", "unchanged", "skipped_before_consent",
                     "skipped_reposts"):
            setattr(result, name, getattr(result, name) + getattr(batch, name))
        result.alerts.extend(batch.alerts)
        if progress:
            progress(len(posts) + start + ARCHIVE_BATCH, 2 * max(len(posts), 1))
    if not posts:
        ingest_posts(account_id=account.pk, posts=[], cursor=None)  # records the read
    audit_record(organization=account.organization, actor=user, action="monitoring.imported",
                 target=account, data={"file": filename[:100], "posts": len(posts),
                                       "created": result.created})
    return result


def archive_import_upload(*, user: User, account: LinkedAccount,
                          upload: UploadedFile) -> ArchiveImport:
    """Accept an uploaded export for the worker: the size is checked from ``upload.size``
    before a byte is read, the file is copied to storage in chunks (never read whole), and
    ``archive_import_task`` is enqueued after commit. One import per account at a time."""
    _check_archive_target(user=user, account=account)
    size = upload.size or 0
    if size == 0:
        raise MonitoringError(gettext("The file is empty. Choose the file from your export."),
                              field="file")
    if size > MAX_ARCHIVE_BYTES:
        raise _archive_too_large()
    name = (upload.name or "upload").rsplit("/", 1)[-1][:255]
    with transaction.atomic():
        if ArchiveImport.objects.filter(account=account, status__in=ACTIVE_IMPORT).exists():
            raise Conflict(gettext("An import of this account is still running; wait until it has "
                           "finished, then upload the next file."), field="file")
        record = ArchiveImport(organization=account.organization, account=account,
                               uploaded_by=user, filename=name, size=size,
                               stage="Waiting for the worker")
        # The stored name is ours, never the uploaded one (no path games in storage).
        record.file.save(f"{account.pk}-{secrets.token_hex(8)}.upload", upload, save=False)
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:  # a second upload at the same moment
            record.file.delete(save=False)
            raise Conflict(gettext("An import of this account is still running; wait until it has "
                           "finished, then upload the next file."), field="file") from None
        audit_record(organization=account.organization, actor=user,
                     action="monitoring.import_queued", target=account,
                     data={"file": name[:100], "bytes": size})
        from chorus.monitoring.tasks import archive_import_task

        transaction.on_commit(partial(archive_import_task.enqueue, import_id=record.pk))
    return record


def archive_import_run(*, import_id: int) -> ArchiveImport:
    """Read one queued import (the worker's half of ``archive_import_upload``): unpack within
    the archive limits, store the posts, record the outcome and progress on the row, and
    delete the stored file whatever happens. Safe to repeat: a finished import is left alone,
    and posts are stored once per id."""
    with transaction.atomic():
        record = (ArchiveImport.objects.select_for_update()
                  .select_related("account__person", "uploaded_by").get(pk=import_id))
        if not record.is_active:
            return record
        record.status, record.stage, record.progress = ArchiveImport.Status.RUNNING, "Unpacking", 1
        record.save(update_fields=["status", "stage", "progress", "updated_at"])
    reporter = _ProgressReporter(record.pk)
    try:
        data = _read_stored(record)
        result = archive_import(user=record.uploaded_by, account=record.account, data=data,
                                filename=record.filename, progress=reporter)
    except DomainError as exc:
        _finish(record, status=ArchiveImport.Status.FAILED, error=exc.message)
    except Exception:
        logger.exception("archive import %s failed", record.pk)
        _finish(record, status=ArchiveImport.Status.FAILED,
                error="Something went wrong while reading the file. Try again; if it keeps "
                      "failing, upload only data/tweets.js or Shares.csv.")
    else:
        _finish(record, status=ArchiveImport.Status.DONE, result={
            "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
            "skipped_before_consent": result.skipped_before_consent,
            "skipped_reposts": result.skipped_reposts,
        })
    finally:
        if record.file:
            record.file.delete(save=False)
            ArchiveImport.objects.filter(pk=record.pk).update(file="")
    record.refresh_from_db()
    return record


def _read_stored(record: ArchiveImport) -> bytes:
    if not record.file:
        raise MonitoringError(gettext("The uploaded file is no longer stored; upload it again."),
                              field="file")
    with record.file.open("rb") as handle:
        data = handle.read(MAX_ARCHIVE_BYTES + 1)
    if len(data) > MAX_ARCHIVE_BYTES:
        raise _archive_too_large()
    return bytes(data)


def _finish(record: ArchiveImport, *, status: str, error: str = "",
            result: dict[str, int] | None = None) -> None:
    ArchiveImport.objects.filter(pk=record.pk).update(
        status=status, error=error[:2000], result=result or {}, finished_at=timezone.now(),
        progress=100 if status == ArchiveImport.Status.DONE else F("progress"),
        stage="" if status == ArchiveImport.Status.DONE else "Stopped", updated_at=timezone.now(),
    )


class _ProgressReporter:
    """Writes the percentage to the row when it moved by at least 5 points (not per chunk)."""

    def __init__(self, import_id: int) -> None:
        self.import_id = import_id
        self.last = 0

    def __call__(self, done: int, total: int) -> None:
        percent = max(1, min(99, int(100 * done / max(total, 1))))
        if percent - self.last < 5:
            return
        self.last = percent
        stage = "Unpacking" if percent < 50 else "Checking and storing posts"
        ArchiveImport.objects.filter(pk=self.import_id).update(progress=percent, stage=stage)
