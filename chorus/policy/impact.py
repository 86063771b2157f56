"""Impact preview: replay the organization's stored screened texts against a draft and the
version in force (issue 21).

Only texts Chorus already stores are replayed: advocacy captions and the texts employees
edited before sharing, posts read from consenting employees' linked accounts, and drafts
employees submitted for review. The "check my post" page stores nothing, so it is never a
source. Source apps are read through the app registry (`apps.get_model`, guarded by
`apps.is_installed`), so the policy app does not depend on them.

Samples are stored with their text; the page redacts a sample for a viewer who may not see
its source (monitored posts are for HR), showing only the rule and the verdict change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import InvalidInput
from chorus.people.models import Organization, User
from chorus.policy.models import ImpactPreview, PolicyVersion, document_hash
from chorus.policy.selectors import policy_version_current, require_author
from chorus.screening.compare import ImpactTally, Item, replay
from chorus.screening.policy import Policy as ScreeningPolicy

SOURCE_LABELS = {
    "caption": "Advocacy caption",
    "share": "Edited advocacy share",
    "monitored": "Monitored post",
    "review": "Draft submitted for review",
}


def _days() -> int:
    return int(getattr(settings, "IMPACT_PREVIEW_DAYS", 365))


def stored_texts(*, organization: Organization) -> Iterator[Item]:
    """Every stored screened text of the organization from the last IMPACT_PREVIEW_DAYS."""
    since = timezone.now() - timedelta(days=_days())
    if apps.is_installed("chorus.advocacy"):
        caption = apps.get_model("advocacy", "Caption")
        rows: Any = (
            caption.objects.filter(item__organization=organization, item__created_at__gte=since)
            .values_list("pk", "text", "network", "item__author_id", "item_id")
            .order_by("pk")
        )
        for pk, text, network, author, item_id in rows.iterator(chunk_size=2000):
            yield Item("caption", str(pk), text, network, f"user:{author}", {"item": item_id})
        share = apps.get_model("advocacy", "Share")
        rows = (
            share.objects.filter(organization=organization, edited=True, created_at__gte=since)
            .exclude(text="")
            .values_list("pk", "text", "network", "user_id")
            .order_by("pk")
        )
        for pk, text, network, user_id in rows.iterator(chunk_size=2000):
            yield Item("share", str(pk), text, network, f"user:{user_id}")
    if apps.is_installed("chorus.monitoring"):
        post = apps.get_model("monitoring", "IngestedPost")
        rows = (
            post.objects.filter(organization=organization, created_at__gte=since)
            .values_list("pk", "text", "network", "account__person_id",
                         "account__person__user_id")
            .order_by("pk")
        )
        for pk, text, network, person_id, user_id in rows.iterator(chunk_size=2000):
            who = f"user:{user_id}" if user_id else f"person:{person_id}"
            yield Item("monitored", str(pk), text, network, who)
    if apps.is_installed("chorus.checks"):
        review = apps.get_model("checks", "ReviewRequest")
        rows = (
            review.objects.filter(organization=organization, created_at__gte=since)
            .values_list("pk", "text", "network", "author_id")
            .order_by("pk")
        )
        for pk, text, network, author in rows.iterator(chunk_size=2000):
            yield Item("review", str(pk), text, network or None, f"user:{author}")


def stored_text_count(*, organization: Organization) -> int:
    since = timezone.now() - timedelta(days=_days())
    total = 0
    if apps.is_installed("chorus.advocacy"):
        total += apps.get_model("advocacy", "Caption").objects.filter(
            item__organization=organization, item__created_at__gte=since).count()
        total += apps.get_model("advocacy", "Share").objects.filter(
            organization=organization, edited=True, created_at__gte=since).exclude(
            text="").count()
    if apps.is_installed("chorus.monitoring"):
        total += apps.get_model("monitoring", "IngestedPost").objects.filter(
            organization=organization, created_at__gte=since).count()
    if apps.is_installed("chorus.checks"):
        total += apps.get_model("checks", "ReviewRequest").objects.filter(
            organization=organization, created_at__gte=since).count()
    return total


def can_see_source(user: Any, source: str) -> bool:
    """Whether `user` may read a sample's text from this source."""
    if source == "monitored":
        return bool(user.has_role("hr"))
    if source == "review":
        return bool(user.has_role("communications") or user.has_role("legal"))
    return True


def redact_samples(samples: list[dict[str, Any]], *, user: Any) -> list[dict[str, Any]]:
    """Samples for the page: the text with findings marked, or redacted for this viewer."""
    out = []
    for sample in samples:
        shown = dict(sample)
        shown["label"] = SOURCE_LABELS.get(sample["source"], sample["source"])
        if can_see_source(user, sample["source"]):
            shown["redacted"] = False
            shown["parts"] = _parts(sample["text"], sample.get("spans") or [])
        else:
            shown["redacted"] = True
            shown["parts"] = []
            shown["text"] = ""
        out.append(shown)
    return out


def _parts(text: str, spans: list[list[int]]) -> list[tuple[str, bool]]:
    parts: list[tuple[str, bool]] = []
    pos = 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        parts.append((text[pos:start], False))
        parts.append((text[start:end], True))
        pos = end
    parts.append((text[pos:], False))
    return [p for p in parts if p[0]]


def run_replay(
    *,
    organization: Organization,
    old: ScreeningPolicy | None,
    new: ScreeningPolicy,
    progress: Callable[[int], None] | None = None,
) -> ImpactTally:
    return replay(old, new, stored_texts(organization=organization), progress=progress)


# --------------------------------------------------------------------------- previews


@transaction.atomic
def impact_preview_start(*, version: PolicyVersion, actor: User) -> ImpactPreview:
    """Queue a replay of the draft's current content; a running one for the same content is
    reused, so pressing the button twice starts one job."""
    require_author(actor)
    if not version.is_draft:
        raise InvalidInput("Only a draft can be previewed; this version is already frozen.",
                           field="version")
    digest = document_hash(version.document)
    existing = ImpactPreview.objects.filter(
        version=version, draft_hash=digest,
        status__in=[ImpactPreview.Status.QUEUED, ImpactPreview.Status.RUNNING],
    ).first()
    if existing is not None:
        return existing
    baseline = policy_version_current(organization=version.organization)
    preview = ImpactPreview.objects.create(
        organization=version.organization, version=version, baseline=baseline,
        draft_hash=digest, requested_by=actor,
        total=stored_text_count(organization=version.organization),
    )
    audit_record(organization=version.organization, actor=actor,
                 action="policy.impact_preview_started", target=version,
                 data={"preview": preview.pk, "texts": preview.total})
    from functools import partial

    from chorus.policy.tasks import impact_preview_task

    transaction.on_commit(partial(impact_preview_task.enqueue, preview_id=preview.pk))
    return preview


def impact_preview_run(*, preview_id: int) -> ImpactPreview:
    """Run one queued preview (the task). Safe to repeat: a finished preview is left alone."""
    preview = ImpactPreview.objects.select_related("version", "baseline").get(pk=preview_id)
    if preview.status == ImpactPreview.Status.DONE:
        return preview
    ImpactPreview.objects.filter(pk=preview.pk).update(
        status=ImpactPreview.Status.RUNNING, processed=0)
    organization = preview.version.organization
    try:
        new = ScreeningPolicy.from_dict(preview.version.document)
        old = (ScreeningPolicy.from_dict(preview.baseline.document)
               if preview.baseline is not None else None)

        def progress(n: int) -> None:
            ImpactPreview.objects.filter(pk=preview.pk).update(processed=n)

        tally = run_replay(organization=organization, old=old, new=new, progress=progress)
    except Exception as exc:  # the page must say it failed, not spin forever
        ImpactPreview.objects.filter(pk=preview.pk).update(
            status=ImpactPreview.Status.FAILED, error=str(exc)[:500],
            finished_at=timezone.now())
        raise
    ImpactPreview.objects.filter(pk=preview.pk).update(
        status=ImpactPreview.Status.DONE, result=tally.to_dict(), processed=tally.texts,
        total=tally.texts, finished_at=timezone.now())
    preview.refresh_from_db()
    return preview


def impact_preview_latest(*, version: PolicyVersion) -> ImpactPreview | None:
    return ImpactPreview.objects.filter(version=version).select_related("version").first()


def impact_preview_get(*, user: Any, preview_id: int) -> ImpactPreview:
    from chorus.common.errors import NotFound

    require_author(user)
    preview = (ImpactPreview.objects.select_related("version", "version__policy")
               .filter(organization_id=user.organization_id, pk=preview_id).first())
    if preview is None:
        raise NotFound("No such impact preview in your organization.")
    return preview


def protected_conflicts(preview: ImpactPreview | None) -> int:
    """Protected-activity posts the draft (as previewed) would newly block."""
    if preview is None or preview.status != ImpactPreview.Status.DONE:
        return 0
    return int(preview.result.get("protected_count", 0))
