"""Nightly verification of every organization's audit chain."""

from __future__ import annotations

import logging
from datetime import timedelta

from django_tasks import task

from chorus.common.scheduling import periodic

logger = logging.getLogger(__name__)


@periodic(every=timedelta(days=1))
@task()
def audit_verify_chains_task() -> None:
    """Walk every chain; record the outcome in each organization's own trail.

    A broken chain is logged at ERROR so that monitoring alerts on it, and recorded as an
    `audit.chain_broken` entry naming the first broken entry (appending is still safe: the
    new entry links to the current head, and verify keeps reporting the old break).
    """
    from chorus.audit.models import AuditChain
    from chorus.audit.services import audit_record, audit_verify
    from chorus.people.models import Organization

    for chain in AuditChain.objects.select_related("organization"):
        result = audit_verify(organization_id=chain.organization_id)
        organization: Organization = chain.organization
        if result.ok:
            audit_record(
                organization=organization,
                actor=None,
                action="audit.chain_verified",
                data={"entries": result.checked},
            )
        else:
            logger.error("audit chain broken: %s", result.describe())
            audit_record(
                organization=organization,
                actor=None,
                action="audit.chain_broken",
                data={"first_broken_seq": result.broken_seq, "reason": result.reason},
            )


@task()
def chain_verification_task(*, verification_id: int) -> bool | None:
    """"Verify the chain" from the audit page, in the worker with progress."""
    from chorus.audit.services import chain_verification_run

    return chain_verification_run(verification_id=verification_id).ok
