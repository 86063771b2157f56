"""Background jobs of the content hub, run by the task worker."""

from __future__ import annotations

import logging
from datetime import timedelta

from django_tasks import task

from chorus.advocacy.services import digest_send_weekly
from chorus.advocacy.tracking import salts_purge
from chorus.common.scheduling import periodic

logger = logging.getLogger(__name__)


@periodic(every=timedelta(days=7))
@task()
def digest_send_weekly_task() -> int:
    """The weekly e-mail of new content. Safe to rerun: each person gets one per ISO week."""
    sent = digest_send_weekly()
    logger.info("weekly advocacy digest: %s e-mails sent", sent)
    return sent


@periodic(every=timedelta(hours=1))
@task()
def salts_purge_task() -> int:
    """Forget yesterday's click salt (hourly, so it goes soon after midnight UTC)."""
    return salts_purge()


@periodic(every=timedelta(minutes=15))
@task()
def click_rollups_task() -> int:
    """Roll up the closed days' clicks for the analytics pages (issue 13)."""
    from chorus.advocacy.rollups import click_rollups_build_all

    return click_rollups_build_all()


@periodic(every=timedelta(days=1))
@task()
def click_rollups_rebuild_task() -> int:
    """Rebuild every day's rollup once a day, so clicks erased with their share drop out of
    past days too."""
    from chorus.advocacy.rollups import click_rollups_build_all

    return click_rollups_build_all(rebuild=True)


@task()
def item_preview_task(*, item_id: int) -> None:
    """Fetch one item's link preview (title and image) and cache it on the item."""
    from chorus.advocacy.services.previews import item_preview_refresh

    item_preview_refresh(item_id=item_id)


@periodic(every=timedelta(hours=1))
@task()
def item_previews_missing_task() -> int:
    """Approved items that never had their preview fetched (e.g. approved before previews
    existed) get one; a failed fetch is retried after a day."""
    from django.db.models import Q
    from django.utils import timezone

    from chorus.advocacy.models import ContentItem

    day_ago = timezone.now() - timedelta(days=1)
    ids = list(ContentItem.objects.filter(status=ContentItem.Status.APPROVED).filter(
        Q(preview_fetched_at__isnull=True)
        | (~Q(preview_error="") & Q(preview_fetched_at__lt=day_ago))
    ).values_list("pk", flat=True)[:200])
    for item_id in ids:
        item_preview_task.enqueue(item_id=item_id)
    return len(ids)


@task()
def content_drop_notify_task(item_id: int) -> int:
    """Tell an approved item's audience it is there to share (safe to repeat: deduplicated)."""
    from chorus.advocacy.services.notices import content_drop_notify

    return content_drop_notify(item_id=item_id)


@task()
def content_source_poll_task(*, source_id: int, force: bool = False) -> None:
    """Read one content source's feed; its new entries become drafts."""
    from chorus.advocacy.services.sources import source_poll

    source_poll(source_id=source_id, force=force)


@periodic(every=timedelta(minutes=15))
@task()
def content_sources_due_task() -> int:
    """Queue a poll of every active source whose next check is due."""
    from chorus.advocacy.services.sources import sources_due

    ids = sources_due()
    for source_id in ids:
        content_source_poll_task.enqueue(source_id=source_id)
    return len(ids)


@task()
def profile_check_task(*, check_id: int) -> None:
    """Fetch one linked account's public profile and check it (issue 19)."""
    from chorus.advocacy.services.profile_checks import profile_check_run

    profile_check_run(check_id=check_id)


@periodic(every=timedelta(hours=1))
@task()
def profile_checks_due_task() -> int:
    """Queue the profile checks that are due (daily, or after a network's Retry-After)."""
    from chorus.advocacy.services.profile_checks import profile_checks_due

    ids = profile_checks_due()
    for check_id in ids:
        profile_check_task.enqueue(check_id=check_id)
    return len(ids)
