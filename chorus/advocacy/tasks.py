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
