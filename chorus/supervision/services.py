"""Writes for supervision: decisions (which become labelled examples), the sample setting,
retraining an organization's learned heads, activation and rollback.

Guarantees:

- A decision is made once per item, by a supervisor of the item's organization who is not its
  author, with a reason for dismiss and relabel; it is audited and becomes one example.
- A protected-activity post (pay, hours, conditions, organizing) is shown with that signal; a
  decision that labels it with a conduct category (harassment, profanity, customer or competitor
  negativity) needs a reason of at least ``PROTECTED_REASON_MIN`` characters and is audited as
  ``supervision.protected_conduct_label``. The example keeps ``protected=True``, and the engine
  still never lets a model output block a protected post.
- Retraining activates the new heads only if they are not worse (`not_worse`): on the
  organization's held-back decisions micro-F1 must not drop, on the shipped test split macro-F1
  may drop by at most ``SHIPPED_TOLERANCE`` (noise of a few posts), and no protected post may be
  blocked. Otherwise the version is kept as "rejected" and the old one stays active.
"""

from __future__ import annotations

import io
import logging
import tempfile
import zlib
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from chorus.screening.catalog import CATEGORIES
from chorus.supervision.models import (
    Decision,
    HeadsVersion,
    LabelledExample,
    RetrainRun,
    SupervisionSettings,
)
from chorus.supervision.selectors import queue_item_get, require_supervisor

logger = logging.getLogger(__name__)
CONDUCT = frozenset({"harassment", "profanity", "customer_negative", "competitor_negative"})
PROTECTED_REASON_MIN = 20
SHIPPED_TOLERANCE = 0.01


def held_back(*, organization_id: int, source: str, source_id: int) -> bool:
    """Deterministic split: one decision in five is kept for evaluation only."""
    return zlib.crc32(f"{organization_id}:{source}:{source_id}".encode()) % 5 == 0


@transaction.atomic
def decision_record(
    *,
    reviewer: Any,
    source: str,
    source_id: int,
    decision: str,
    categories: list[str] | None = None,
    reason: str = "",
) -> Decision:
    """Record a supervisor's accept / dismiss / relabel on one queue item."""
    require_supervisor(reviewer)
    item = queue_item_get(user=reviewer, source=source, source_id=source_id)
    if item.author_user_id == reviewer.pk:
        raise PermissionDenied("You cannot supervise your own post; ask another supervisor.")
    if decision not in Decision.Kind.values:
        raise InvalidInput("Choose accept, dismiss or relabel.", field="decision")
    reason = reason.strip()
    flagged = sorted({c for c in item.categories if c in CATEGORIES})
    if decision == Decision.Kind.ACCEPT:
        final = flagged
    elif decision == Decision.Kind.DISMISS:
        final = []
    else:
        chosen = list(categories or [])
        unknown = sorted(set(chosen) - set(CATEGORIES))
        if unknown:
            raise InvalidInput(
                f"Unknown categories: {', '.join(unknown)}. Choose from the list.",
                field="categories",
            )
        final = sorted(set(chosen))
        if final == flagged:
            raise InvalidInput(
                "These are the categories the engine found; choose accept "
                "instead, or change the categories.",
                field="categories",
            )
    if decision != Decision.Kind.ACCEPT and not reason:
        raise InvalidInput(
            "Say why, so the next reviewer and the audit trail can follow.", field="reason"
        )
    conduct_on_protected = item.protected and bool(CONDUCT & set(final))
    if conduct_on_protected and len(reason) < PROTECTED_REASON_MIN:
        raise InvalidInput(
            "This post is protected activity (pay, hours, working conditions, organizing). "
            f"Labelling it as misconduct needs a reason of at least {PROTECTED_REASON_MIN} "
            "characters saying what goes beyond protected speech.",
            field="reason",
        )
    if Decision.objects.filter(
        organization_id=reviewer.organization_id, source=source, source_id=source_id
    ).exists():
        raise Conflict("Someone already decided this item; it has left the queue.")
    row = Decision.objects.create(
        organization_id=reviewer.organization_id,
        source=source,
        source_id=source_id,
        reviewer=reviewer,
        decision=decision,
        flagged=flagged,
        categories=final,
        reason=reason,
        protected=item.protected,
        sampled=item.sampled,
        risk=item.risk,
    )
    LabelledExample.objects.create(
        organization_id=reviewer.organization_id,
        decision=row,
        text=item.text,
        language=(reviewer.organization.language or "")[:12],
        categories=final,
        protected=item.protected,
        reviewer=reviewer,
        held_back=held_back(
            organization_id=reviewer.organization_id, source=source, source_id=source_id
        ),
    )
    data = {
        "source": source,
        "source_id": source_id,
        "decision": decision,
        "flagged": flagged,
        "categories": final,
        "protected": item.protected,
    }
    audit_record(
        organization=reviewer.organization,
        actor=reviewer,
        action="supervision.decided",
        target=row,
        data=data,
    )
    if conduct_on_protected:
        audit_record(
            organization=reviewer.organization,
            actor=reviewer,
            action="supervision.protected_conduct_label",
            target=row,
            data=data,
        )
    return row


@transaction.atomic
def settings_update(*, actor: Any, sample_percent: Any) -> SupervisionSettings:
    require_supervisor(actor)
    try:
        percent = int(sample_percent)
    except (TypeError, ValueError):
        raise InvalidInput(
            "The sample must be a whole number of percent, 0 to 100.", field="sample_percent"
        ) from None
    if not 0 <= percent <= 100:
        raise InvalidInput("The sample must be between 0 and 100 percent.", field="sample_percent")
    row, _ = SupervisionSettings.objects.get_or_create(organization=actor.organization)
    old, row.sample_percent = row.sample_percent, percent
    row.save(update_fields=["sample_percent", "updated_at"])
    audit_record(
        organization=actor.organization,
        actor=actor,
        action="supervision.settings",
        target=row,
        data={"sample_percent": [old, percent]},
    )
    return row


# ---------------------------------------------------------------- retraining


def _require_admin(user: Any) -> None:
    if not user.has_role("admin"):
        raise PermissionDenied("Only administrators retrain or roll back the screening model.")


def retrain_request(*, actor: Any) -> RetrainRun:
    """Queue a retraining of the actor's organization (the admin page's button)."""
    _require_admin(actor)
    with transaction.atomic():
        if RetrainRun.objects.filter(
            organization_id=actor.organization_id, status__in=["queued", "running"]
        ).exists():
            raise Conflict("A retraining is already running; wait for its report.")
        run = RetrainRun.objects.create(organization_id=actor.organization_id, requested_by=actor)
        audit_record(
            organization=actor.organization,
            actor=actor,
            action="supervision.retrain_requested",
            target=run,
            data={},
        )
        from chorus.supervision.tasks import retrain_task

        transaction.on_commit(partial(retrain_task.enqueue, run_id=run.pk))
    return run


def _posts(rows: Any) -> list[Any]:
    from chorus.screening.learned import LabelledPost

    return [
        LabelledPost(
            text=r.text,
            language=r.language or "",
            categories=frozenset(r.categories),
            protected=r.protected,
        )
        for r in rows
    ]


def _figures(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "posts": report["posts"],
        "micro": {k: round(v, 4) for k, v in report["micro"].items()},
        "macro_f1": round(report["macro_f1"], 4),
        "clean_fp_rate": round(report["clean_fp_rate"], 4),
        "protected_blocked": report["protected_blocked"],
        "per_category": {
            c: {k: round(v, 4) for k, v in m.items()}
            for c, m in report["per_category"].items()
            if m["support"] or m["precision"]
        },
    }


def not_worse(old: dict[str, Any], new: dict[str, Any]) -> tuple[bool, str]:
    """The activation rule (module docstring) and the sentence that explains the outcome."""
    held_old, held_new = old["held_back"], new["held_back"]
    if held_new["posts"] and held_new["micro"]["f1"] < held_old["micro"]["f1"]:
        return False, (
            f"Not activated: on your held-back decisions micro-F1 would drop from "
            f"{held_old['micro']['f1']:.3f} to {held_new['micro']['f1']:.3f}."
        )
    if new["shipped_test"]["macro_f1"] < old["shipped_test"]["macro_f1"] - SHIPPED_TOLERANCE:
        return False, (
            f"Not activated: on the shipped test split macro-F1 would drop from "
            f"{old['shipped_test']['macro_f1']:.3f} to "
            f"{new['shipped_test']['macro_f1']:.3f}."
        )
    blocked = held_new["protected_blocked"] + new["shipped_test"]["protected_blocked"]
    if blocked:
        return False, f"Not activated: it would block {blocked} protected-activity posts."
    return True, "Activated: not worse on your held-back decisions nor on the shipped test split."


def retrain(*, organization: Any, actor: Any | None, run: RetrainRun | None = None) -> RetrainRun:
    """Fit, evaluate old and new, store the version, activate it if not worse. In the caller's
    process (the worker's task, the management command)."""
    from chorus.checks.services import screening_policy
    from chorus.screening.learned import Heads, default_heads, evaluate, fit_heads, load_corpus
    from chorus.supervision.selectors import active_heads_for

    run = run or RetrainRun.objects.create(organization=organization, requested_by=actor)
    RetrainRun.objects.filter(pk=run.pk).update(status="running")
    examples = LabelledExample.objects.filter(organization=organization)
    train = _posts(examples.filter(held_back=False))
    held = _posts(examples.filter(held_back=True))
    if not train:
        raise InvalidInput(
            "There are no reviewer decisions to learn from yet (held-back "
            "decisions are never trained on). Decide items in the supervision "
            "queue first."
        )
    policy = screening_policy(organization=organization)
    old_heads = active_heads_for(organization=organization) or default_heads()
    number = (
        HeadsVersion.objects.filter(organization=organization)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    ) + 1
    new_heads = fit_heads(
        train,
        base=default_heads(),
        policy=policy,
        epochs=settings.SUPERVISION_RETRAIN_EPOCHS,
        version=f"org{organization.pk}-v{number}",
    )
    shipped = load_corpus("test")
    old = {
        "version": old_heads.version,
        "held_back": _figures(evaluate(old_heads, held, policy=policy)),
        "shipped_test": _figures(evaluate(old_heads, shipped)),
    }
    new = {
        "version": new_heads.version,
        "held_back": _figures(evaluate(new_heads, held, policy=policy)),
        "shipped_test": _figures(evaluate(new_heads, shipped)),
    }
    ok, verdict = not_worse(old, new)
    report = {
        "old": old,
        "new": new,
        "activated": ok,
        "verdict": verdict,
        "trained_on": len(train),
        "held_back": len(held),
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "heads.npz"
        new_heads.save(path)
        data = path.read_bytes()
    Heads.load(io.BytesIO(data))  # what is stored must load
    with transaction.atomic():
        if ok:
            HeadsVersion.objects.filter(organization=organization, status="active").update(
                status="retired"
            )
        version = HeadsVersion.objects.create(
            organization=organization,
            number=number,
            version=new_heads.version,
            data=data,
            status="active" if ok else "rejected",
            report=report,
            created_by=actor,
            activated_at=timezone.now() if ok else None,
        )
        RetrainRun.objects.filter(pk=run.pk).update(
            status="done", heads=version, activated=ok, report=report, finished_at=timezone.now()
        )
        audit_record(
            organization=organization,
            actor=actor,
            action="supervision.retrained",
            target=version,
            data={
                "activated": ok,
                "number": number,
                "trained_on": len(train),
                "held_back": len(held),
            },
        )
    run.refresh_from_db()
    return run


def retrain_run(*, run_id: int) -> RetrainRun:
    """The worker's half of `retrain_request`; safe to repeat (a finished run is kept)."""
    run = RetrainRun.objects.select_related("organization", "requested_by").get(pk=run_id)
    if not run.is_active:
        return run
    try:
        return retrain(organization=run.organization, actor=run.requested_by, run=run)
    except InvalidInput as exc:
        message = exc.message
    except Exception:
        logger.exception("retrain run %s failed", run.pk)
        message = "Retraining failed unexpectedly; the active model is unchanged. Try again."
    RetrainRun.objects.filter(pk=run.pk).update(
        status="failed", error=message, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


@transaction.atomic
def heads_rollback(*, actor: Any) -> HeadsVersion | None:
    """Activate the version that was active before the current one (or the shipped model when
    there is none). Returns the now-active version, or None for the shipped model."""
    _require_admin(actor)
    org = actor.organization
    current = (
        HeadsVersion.objects.select_for_update().filter(organization=org, status="active").first()
    )
    if current is None:
        raise NotFound("The shipped model is in use; there is nothing to roll back.")
    previous = (
        HeadsVersion.objects.select_for_update()
        .filter(
            organization=org,
            status="retired",
            number__lt=current.number,
            activated_at__isnull=False,
        )
        .order_by("-number")
        .first()
    )
    current.status = "retired"
    current.activated_at = None  # a rolled-back version is not a rollback target again
    current.save(update_fields=["status", "activated_at", "updated_at"])
    if previous is not None:
        previous.status = "active"
        previous.save(update_fields=["status", "updated_at"])
    audit_record(
        organization=org,
        actor=actor,
        action="supervision.rolled_back",
        target=current,
        data={"from": current.number, "to": previous.number if previous else "shipped"},
    )
    return previous
