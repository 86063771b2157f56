"""Reads for supervision: the ranked queue, an organization's active heads, precision by month.

The source apps are read through ``django.apps`` (guarded by ``apps.is_installed``), so
supervision depends on neither monitoring nor checks being installed.
"""

from __future__ import annotations

import io
import threading
import zlib
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.db.models.functions import TruncMonth

from chorus.common.errors import NotFound, PermissionDenied
from chorus.screening.catalog import SEVERITY_RANK
from chorus.supervision.models import (
    Decision,
    HeadsVersion,
    RetrainRun,
    Source,
    SupervisionSettings,
)

QUEUE_WINDOW = 2000  # newest items of each source looked at per page load


def is_supervisor(user: Any) -> bool:
    return bool(user.has_role("admin") or user.has_perm("supervision.supervise"))


def require_supervisor(user: Any) -> None:
    if not is_supervisor(user):
        raise PermissionDenied("Only supervisors (legal, communications) review this queue.")


@dataclass
class QueueItem:
    source: str
    source_id: int
    text: str
    findings: list[dict[str, Any]]
    protected: bool
    sampled: bool
    risk: float
    author_user_id: int | None
    label: str
    created_at: Any
    categories: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.source}-{self.source_id}"


def risk_of(findings: list[dict[str, Any]]) -> float:
    """Severity rank (info 0 … critical 4) times the finding's model confidence (rules: 1)."""
    best = 0.0
    for f in findings:
        confidence = float(f.get("confidence", 1.0) or 0.0)
        best = max(best, SEVERITY_RANK.get(str(f.get("severity")), 0) * confidence)
    return round(best, 3)


def in_sample(*, organization_id: int, source_id: int, percent: int) -> bool:
    """Deterministic: the same allowed posts stay in the sample between page loads."""
    return zlib.crc32(f"{organization_id}:sample:{source_id}".encode()) % 100 < percent


def settings_for(*, organization: Any) -> SupervisionSettings:
    found = SupervisionSettings.objects.filter(organization=organization).first()
    return found or SupervisionSettings(organization=organization)


def queue_for(*, user: Any, limit: int = 100) -> list[QueueItem]:
    """Undecided items of the user's organization: flagged ones by risk, highest first, then
    the random sample of allowed monitored posts. A reviewer never sees their own posts."""
    require_supervisor(user)
    org_id = user.organization_id
    decided = {
        (s, i)
        for s, i in Decision.objects.filter(organization_id=org_id).values_list(
            "source", "source_id"
        )
    }
    percent = settings_for(organization=user.organization).sample_percent
    items: list[QueueItem] = []
    if apps.is_installed("chorus.monitoring"):
        post_model = apps.get_model("monitoring", "IngestedPost")
        posts = (
            post_model.objects.filter(organization_id=org_id, deleted_at__isnull=True)
            .select_related("account__person")
            .order_by("-published_at")[:QUEUE_WINDOW]
        )
        for post in posts:
            if (Source.MONITORING, post.pk) in decided:
                continue
            flagged = bool(post.findings)
            if not flagged and not in_sample(
                organization_id=org_id, source_id=post.pk, percent=percent
            ):
                continue
            items.append(
                QueueItem(
                    source=Source.MONITORING,
                    source_id=post.pk,
                    text=post.text,
                    findings=list(post.findings or []),
                    protected=post.protected_activity,
                    sampled=not flagged,
                    risk=risk_of(post.findings or []),
                    author_user_id=post.account.person.user_id,
                    label=f"{post.account.get_network_display()} · {post.account.handle}",
                    created_at=post.published_at,
                    categories=sorted({f.get("category", "") for f in post.findings or []}),
                )
            )
    if apps.is_installed("chorus.checks"):
        review_model = apps.get_model("checks", "ReviewRequest")
        for review in (
            review_model.objects.filter(organization_id=org_id)
            .select_related("author")
            .order_by("-created_at")[:QUEUE_WINDOW]
        ):
            if (Source.REVIEW, review.pk) in decided:
                continue
            findings = list((review.result or {}).get("findings", []))
            items.append(
                QueueItem(
                    source=Source.REVIEW,
                    source_id=review.pk,
                    text=review.text,
                    findings=findings,
                    protected="protected_activity" in (review.result or {}).get("signals", []),
                    sampled=False,
                    risk=risk_of(findings),
                    author_user_id=review.author_id,
                    label=f"Review request #{review.pk}",
                    created_at=review.created_at,
                    categories=sorted({f.get("category", "") for f in findings}),
                )
            )
    items = [i for i in items if i.author_user_id != user.pk]
    items.sort(key=lambda i: (i.sampled, -i.risk, -i.created_at.timestamp()))
    return items[:limit]


def queue_item_get(*, user: Any, source: str, source_id: int) -> QueueItem:
    """One item of the user's organization (decided or not), else NotFound."""
    require_supervisor(user)
    org_id = user.organization_id
    if source == Source.MONITORING and apps.is_installed("chorus.monitoring"):
        post = (
            apps.get_model("monitoring", "IngestedPost")
            .objects.select_related("account__person")
            .filter(organization_id=org_id, pk=source_id, deleted_at__isnull=True)
            .first()
        )
        if post is not None:
            return QueueItem(
                source=source,
                source_id=post.pk,
                text=post.text,
                findings=list(post.findings or []),
                protected=post.protected_activity,
                sampled=not post.findings,
                risk=risk_of(post.findings or []),
                author_user_id=post.account.person.user_id,
                label=post.account.handle,
                created_at=post.published_at,
                categories=sorted({f.get("category", "") for f in post.findings or []}),
            )
    if source == Source.REVIEW and apps.is_installed("chorus.checks"):
        review = (
            apps.get_model("checks", "ReviewRequest")
            .objects.filter(organization_id=org_id, pk=source_id)
            .first()
        )
        if review is not None:
            findings = list((review.result or {}).get("findings", []))
            return QueueItem(
                source=source,
                source_id=review.pk,
                text=review.text,
                findings=findings,
                protected="protected_activity" in (review.result or {}).get("signals", []),
                sampled=False,
                risk=risk_of(findings),
                author_user_id=review.author_id,
                label=f"Review request #{review.pk}",
                created_at=review.created_at,
                categories=sorted({f.get("category", "") for f in findings}),
            )
    raise NotFound("No such item in your organization's supervision queue.")


def precision_by_month(*, user: Any) -> list[dict[str, Any]]:
    """Per month and category: how many engine findings reviewers confirmed (precision)."""
    require_supervisor(user)
    rows = (
        Decision.objects.filter(organization_id=user.organization_id)
        .annotate(month=TruncMonth("created_at"))
        .order_by("month")
        .values("month", "flagged", "categories")
    )
    table: dict[Any, dict[str, list[int]]] = {}
    for row in rows:
        month = table.setdefault(row["month"], {})
        for category in row["flagged"] or []:
            counts = month.setdefault(category, [0, 0])
            counts[0 if category in (row["categories"] or []) else 1] += 1
    out = []
    for month, cats in table.items():
        for category, (confirmed, wrong) in sorted(cats.items()):
            out.append(
                {
                    "month": month,
                    "category": category,
                    "confirmed": confirmed,
                    "dismissed": wrong,
                    "precision": confirmed / (confirmed + wrong),
                }
            )
    return out


def heads_versions_for(*, user: Any) -> QuerySet[HeadsVersion]:
    return HeadsVersion.objects.filter(organization_id=user.organization_id).defer("data")


def retrain_runs_for(*, user: Any) -> QuerySet[RetrainRun]:
    return RetrainRun.objects.filter(organization_id=user.organization_id).select_related(
        "heads", "requested_by"
    )


_HEADS_CACHE: dict[tuple[int, int], Any] = {}
_HEADS_LOCK = threading.Lock()


def active_heads_for(*, organization: Any) -> Any:
    """The organization's active learned heads, or None (the shipped model is used).

    Loaded once per (organization, version row) and cached in the process; a newly activated
    version has a new row id, so it is picked up on the next screening without a restart."""
    row = (
        HeadsVersion.objects.filter(organization_id=organization.pk, status="active")
        .values_list("pk", flat=True)
        .first()
    )
    if row is None:
        return None
    key = (organization.pk, row)
    cached = _HEADS_CACHE.get(key)
    if cached is not None:
        return cached
    from chorus.screening.learned import Heads

    data = HeadsVersion.objects.filter(pk=row).values_list("data", flat=True).first()
    heads = Heads.load(io.BytesIO(bytes(data or b"")))
    with _HEADS_LOCK:
        if len(_HEADS_CACHE) > 64:
            _HEADS_CACHE.clear()
        _HEADS_CACHE[key] = heads
    return heads
