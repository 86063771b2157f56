"""Background jobs: invitations after a campaign starts, reminders and candidate retention."""

from __future__ import annotations

import logging
from datetime import timedelta

from django_tasks import task

from chorus.common.scheduling import periodic
from chorus.onboarding.models import Assignment
from chorus.onboarding.services import assignment_invite, candidates_purge_expired, reminders_send

logger = logging.getLogger(__name__)


@task()
def send_invitations_task(assignment_ids: list[int]) -> int:
    """E-mail each newly assigned person once (a retried job skips those already sent)."""
    sent = 0
    for assignment in (Assignment.objects.filter(pk__in=assignment_ids)
                       .select_related("person", "person__organization", "version",
                                       "version__policy", "campaign")):
        try:
            sent += assignment_invite(assignment=assignment)
        except Exception:  # one bad address must not stop the others; the log names it
            logger.exception("invitation for assignment %s failed", assignment.pk)
    return sent


@periodic(every=timedelta(hours=1))
@task()
def send_attestation_reminders_task() -> dict[str, int]:
    run = reminders_send()
    return {"reminders": run.reminders, "escalations": run.escalations}


@periodic(every=timedelta(days=1))
@task()
def purge_not_hired_candidates_task() -> int:
    return candidates_purge_expired()
