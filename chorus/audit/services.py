"""Writing and verifying the audit trail. Every app records through `audit_record`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from chorus.audit.models import AuditChain, AuditEntry

GENESIS = "0" * 64


def _canonical(entry: AuditEntry) -> bytes:
    payload = {
        "organization": entry.organization_id,
        "seq": entry.seq,
        "created_at": entry.created_at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target_label": entry.target_label,
        "data": entry.data,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def _json_safe(data: dict[str, Any] | None) -> dict[str, Any]:
    # Round-trip through JSON so the stored value is exactly what the hash covered.
    return json.loads(json.dumps(data or {}, sort_keys=True, default=str))


@transaction.atomic
def audit_record(
    *,
    organization: Any,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the organization's chain and return it.

    `action` is a dotted name (`policy.published`, `incident.evidence_viewed`). Runs inside the
    caller's transaction, so an entry exists exactly when the change it describes was committed.
    """
    AuditChain.objects.get_or_create(organization_id=organization.pk)
    chain = AuditChain.objects.select_for_update().get(organization_id=organization.pk)
    entry = AuditEntry(
        organization_id=organization.pk,
        seq=chain.last_seq + 1,
        created_at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_label=(getattr(actor, "email", "") or str(actor or "system"))[:254],
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:300] if target is not None else "",
        data=_json_safe(data),
        prev_hash=chain.last_hash,
    )
    entry.entry_hash = entry_hash(entry)
    entry.save()
    chain.last_seq, chain.last_hash = entry.seq, entry.entry_hash
    chain.save(update_fields=["last_seq", "last_hash"])
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    organization_id: int | None = None
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""

    def describe(self) -> str:
        if self.ok:
            return f"OK: {self.checked} audit entries verified, chain intact."
        return (
            f"BROKEN: organization {self.organization_id}, entry #{self.broken_seq} "
            f"(id {self.broken_id}): {self.reason}"
        )


def audit_verify(*, organization_id: int | None = None,
                 progress: Callable[[int], None] | None = None) -> VerifyResult:
    """Walk each organization's chain in order and report the first entry that does not verify.

    Detects edited rows (hash mismatch), deleted or inserted rows (sequence gap or broken link)
    and a chain head that disagrees with the last row.
    """
    checked = 0
    chains = AuditChain.objects.order_by("organization_id")
    if organization_id is not None:
        chains = chains.filter(organization_id=organization_id)
    for chain in chains:
        prev, expected_seq = GENESIS, 1
        entries = AuditEntry.objects.filter(organization_id=chain.organization_id).order_by("seq")
        for entry in entries.iterator(chunk_size=2000):
            checked += 1
            if progress is not None and checked % 5000 == 0:
                progress(checked)
            problem = ""
            if entry.seq != expected_seq:
                problem = (
                    f"sequence gap: expected #{expected_seq} (an entry was deleted or inserted)"
                )
            elif entry.prev_hash != prev:
                problem = "previous-hash link does not match the entry before it"
            elif entry_hash(entry) != entry.entry_hash:
                problem = "content does not match its hash (the row was edited)"
            if problem:
                return VerifyResult(
                    False, checked, chain.organization_id, entry.seq, entry.pk, problem
                )
            prev, expected_seq = entry.entry_hash, entry.seq + 1
        if expected_seq - 1 != chain.last_seq or prev != chain.last_hash:
            return VerifyResult(
                False,
                checked,
                chain.organization_id,
                expected_seq,
                None,
                f"chain head says #{chain.last_seq} but the last entry is #{expected_seq - 1} "
                "(entries were deleted from the end)",
            )
    return VerifyResult(True, checked)


def chain_verification_request(*, organization: Any, actor: Any) -> Any:
    """Ask the worker to verify the organization's chain (one run at a time per
    organization: asking again while one is queued or running returns that one)."""
    from functools import partial

    from chorus.audit.models import ChainVerification
    from chorus.audit.tasks import chain_verification_task

    with transaction.atomic():
        AuditChain.objects.select_for_update().filter(organization_id=organization.pk).first()
        running = ChainVerification.objects.filter(
            organization_id=organization.pk,
            status__in=[ChainVerification.Status.QUEUED, ChainVerification.Status.RUNNING],
        ).first()
        if running is not None:
            return running
        run = ChainVerification.objects.create(
            organization_id=organization.pk, requested_by=actor,
            total=AuditEntry.objects.filter(organization_id=organization.pk).count())
        transaction.on_commit(partial(chain_verification_task.enqueue, verification_id=run.pk))
    return run


def chain_verification_run(*, verification_id: int) -> Any:
    """The worker's side: verify, saving progress every 5,000 entries, then the outcome."""
    from chorus.audit.models import ChainVerification

    run = ChainVerification.objects.get(pk=verification_id)
    run.status = ChainVerification.Status.RUNNING
    run.save(update_fields=["status"])

    def progress(checked: int) -> None:
        ChainVerification.objects.filter(pk=run.pk).update(checked=checked)

    try:
        result = audit_verify(organization_id=run.organization_id, progress=progress)
    except Exception as exc:
        run.status, run.message = ChainVerification.Status.FAILED, str(exc)[:500]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "message", "finished_at"])
        raise
    run.status, run.ok, run.checked = ChainVerification.Status.DONE, result.ok, result.checked
    run.message, run.finished_at = result.describe()[:500], timezone.now()
    run.save(update_fields=["status", "ok", "checked", "message", "finished_at"])
    return run
