"""Background work for monitoring: polling on a schedule, coaching notes, retention."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from chorus.common.scheduling import periodic

logger = logging.getLogger(__name__)


@task()
def poll_account_task(*, account_id: int) -> None:
    from chorus.monitoring.services import account_poll

    outcome = account_poll(account_id=account_id)
    if not outcome.ok:
        logger.info("monitoring poll of account %s failed: %s", account_id, outcome.error)


@task()
def account_verify_task(*, account_id: int) -> str:
    """"Check now" for ownership proof: read the profile and recent posts off the web request."""
    from chorus.monitoring.services import account_verify_run

    return account_verify_run(account_id=account_id)


@task()
def archive_import_task(*, import_id: int) -> None:
    """Unpack and read an uploaded export (never in the web request: a .zip can be costly)."""
    from chorus.monitoring.services import archive_import_run

    record = archive_import_run(import_id=import_id)
    logger.info("monitoring archive import %s: %s", import_id, record.status)


@task()
def post_image_ocr_task(*, image_id: int) -> None:
    """Read the text of an image attached to a monitored post (download, OCR, screen)."""
    from chorus.monitoring.services.images import post_image_read

    image = post_image_read(image_id=image_id)
    if image is not None:
        logger.info("monitoring image %s: %s", image.pk, image.status)


@periodic(every=timedelta(minutes=15))
@task()
def poll_accounts_task() -> None:
    """Enqueue a poll for every account that is read by polling (not uploads, not revoked).
    Bluesky is polled too: the stream is the fast path, the poll catches up after outages."""
    from chorus.monitoring.selectors import pollable_account_ids

    for account_id in pollable_account_ids():
        poll_account_task.enqueue(account_id=account_id)


@periodic(every=timedelta(hours=6))
@task()
def monitoring_purge_task() -> None:
    from chorus.monitoring.services import monitoring_purge

    result = monitoring_purge()
    logger.info("monitoring purge: %s accounts, %s posts", result.accounts_purged,
                result.posts_deleted)


@task()
def alert_notify_task(*, alert_id: int) -> None:
    """Tell the employee first, privately, with the suggestion to edit or delete."""
    from chorus.monitoring.models import MonitoringAlert

    alert = (MonitoringAlert.objects.select_related("person", "person__user", "account")
             .filter(pk=alert_id).first())
    if alert is None or alert.person.user is None:
        return
    lines = [
        f"Hi {alert.person.full_name.split(' ')[0]},",
        "",
        f"One of your public posts on {alert.account.get_network_display()} "
        f"({alert.account.handle}) may conflict with the social-media policy:",
        "",
    ]
    for finding in alert.findings:
        lines.append(f"- {finding.get('message', '')}")
        if finding.get("suggestion"):
            lines.append(f"  Suggestion: {finding['suggestion']}")
    lines += [
        "",
        "You can edit or delete the post; Chorus notices the change on its next read.",
        f"Post: {alert.post_url}" if alert.post_url else "",
        f"Your alerts: {settings.SITE_URL}{reverse('monitoring:alerts')}",
        "",
        "This note is for you. It is not a warning and nobody else has been told.",
    ]
    from chorus.notifications.services import notify

    # Sensitive kind: outside Chorus only "You have a private note in Chorus" and the link.
    notify(
        kind="monitoring.coaching_note", recipients=[alert.person.user],
        organization=alert.person.organization, title="A note about one of your posts",
        body="\n".join(line for line in lines[2:] if line is not None).strip(),
        link=reverse("monitoring:alerts"), dedupe_key=f"alert:{alert.pk}",
    )  # fmt: skip
