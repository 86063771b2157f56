"""Analytics, leaderboard and program health for the content hub.

Aggregates only: these reads never list what one person shared, apart from the opt-out
leaderboard. Participation is never a disciplinary signal (research AMP-04), so nothing here
ranks or flags people who do not share.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet, Value
from django.db.models.functions import Concat, TruncDate, TruncMonth
from django.utils import timezone

from chorus.advocacy.models import AdvocateProfile, Click, ContentItem, Share
from chorus.advocacy.networks import Network
from chorus.people.models import Organization, Person

POINTS_PER_SHARE = 10
POINTS_PER_VISITOR = 1
UNASSIGNED = "No department"


@dataclass
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def start_dt(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min),
                                   datetime.UTC)

    @property
    def end_dt(self) -> datetime.datetime:
        return timezone.make_aware(
            datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min),
            datetime.UTC,
        )

    def days(self) -> list[datetime.date]:
        n = (self.end - self.start).days + 1
        return [self.start + datetime.timedelta(days=i) for i in range(n)]


def period_ending_today(days: int) -> Period:
    today = timezone.now().date()
    return Period(start=today - datetime.timedelta(days=days - 1), end=today)


def _started(organization: Organization, period: Period) -> QuerySet[Share]:
    return Share.objects.filter(organization=organization, created_at__gte=period.start_dt,
                                created_at__lt=period.end_dt)


def _shares(organization: Organization, period: Period) -> QuerySet[Share]:
    """Confirmed shares only (said posted, or seen on a linked account): what analytics and
    points count. An intent (the composer was opened) is counted apart."""
    return _started(organization, period).filter(confirmed_at__isnull=False)


def _intents(organization: Organization, period: Period) -> QuerySet[Share]:
    return _started(organization, period).filter(confirmed_at__isnull=True)


def _clicks(organization: Organization, period: Period) -> QuerySet[Click]:
    return Click.objects.filter(share__organization=organization, created_at__gte=period.start_dt,
                                created_at__lt=period.end_dt)


@dataclass
class Breakdown:
    label: str
    shares: int = 0
    clicks: int = 0
    visitors: int = 0


@dataclass
class Analytics:
    period: Period
    shares: int = 0
    intents: int = 0
    clicks: int = 0
    visitors: int = 0
    advocates: int = 0
    edited_pct: int = 0
    by_day: list[dict[str, Any]] = field(default_factory=list)
    by_content: list[Breakdown] = field(default_factory=list)
    by_network: list[Breakdown] = field(default_factory=list)
    by_department: list[Breakdown] = field(default_factory=list)


def _attributed(clicks: QuerySet[Click]) -> QuerySet[Click]:
    """The clicks that count for the person who shared: all, except those after the person
    left (`Share.attribution_ended_at`, set by offboarding)."""
    return clicks.filter(Q(share__attribution_ended_at__isnull=True)
                         | Q(created_at__lte=F("share__attribution_ended_at")))


def _breakdown(
    shares: QuerySet[Share], clicks: QuerySet[Click], share_key: str, labels: dict[Any, str]
) -> list[Breakdown]:
    rows: dict[Any, Breakdown] = {}
    for r in shares.values(share_key).annotate(n=Count("pk")):
        key = r[share_key]
        rows.setdefault(key, Breakdown(labels.get(key, str(key) if key else UNASSIGNED)))
        rows[key].shares = r["n"]
    for r in clicks.values(f"share__{share_key}").annotate(
        n=Count("pk"), v=Count("visitor", distinct=True)
    ):
        key = r[f"share__{share_key}"]
        rows.setdefault(key, Breakdown(labels.get(key, str(key) if key else UNASSIGNED)))
        rows[key].clicks, rows[key].visitors = r["n"], r["v"]
    return sorted(rows.values(), key=lambda b: (-b.clicks, -b.shares, b.label))


def analytics_for(*, organization: Organization, period: Period) -> Analytics:
    """Shares, clicks and unique visitors over time and by content, network and department.

    A unique visitor is one (day, salted hash) pair: the salt changes daily by design."""
    shares, clicks = _shares(organization, period), _clicks(organization, period)
    out = Analytics(period=period)
    # Once per (item, network, person), even for rows from before shares were reused.
    out.shares = shares.values("item", "network", "user").distinct().count()
    out.intents = _intents(organization, period).values("item", "network", "user").distinct(
        ).count()
    out.clicks = clicks.count()
    out.visitors = clicks.values("day", "visitor").distinct().count()
    out.advocates = shares.values("user").distinct().count()
    if out.shares:
        out.edited_pct = round(100 * shares.filter(edited=True).count() / out.shares)
    share_days = dict(shares.annotate(d=TruncDate("created_at")).values("d")
                      .annotate(n=Count("pk")).values_list("d", "n"))
    click_days = dict(clicks.values("day").annotate(n=Count("pk")).values_list("day", "n"))
    out.by_day = [{"day": d, "shares": share_days.get(d, 0), "clicks": click_days.get(d, 0)}
                  for d in period.days()]
    titles = dict(ContentItem.objects.filter(organization=organization)
                  .values_list("pk", "title"))
    out.by_content = _breakdown(shares, clicks, "item_id", titles)
    out.by_network = _breakdown(shares, clicks, "network", dict(Network.choices))
    out.by_department = _breakdown(shares, clicks, "department__name", {None: UNASSIGNED})
    return out


def analytics_csv_rows(*, organization: Organization, period: Period) -> list[list[Any]]:
    """Daily rows per content, network and department: aggregates only, no names."""
    shares, clicks = _shares(organization, period), _clicks(organization, period)
    rows: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
    for share_row in (shares.annotate(d=TruncDate("created_at"))
              .values("d", "item__title", "item__slug", "network", "department__name")
              .annotate(n=Count("pk"))):
        key = (share_row["d"], share_row["item__title"], share_row["item__slug"],
               share_row["network"], share_row["department__name"])
        rows[key][0] = share_row["n"]
    for click_row in (clicks.values("day", "share__item__title", "share__item__slug",
                                    "share__network", "share__department__name")
              .annotate(n=Count("pk"), v=Count("visitor", distinct=True))):
        key = (click_row["day"], click_row["share__item__title"], click_row["share__item__slug"],
               click_row["share__network"], click_row["share__department__name"])
        rows[key][1], rows[key][2] = click_row["n"], click_row["v"]
    out: list[list[Any]] = [["date", "content", "slug", "network", "department", "shares", "clicks",
            "unique_visitors"]]
    for key in sorted(rows, key=lambda k: (k[0], k[1], k[3], k[4] or "")):
        day, title, slug, network, dept = key
        out.append([day.isoformat(), title, slug, network, dept or UNASSIGNED, *rows[key]])
    return out


@dataclass
class LeaderboardRow:
    rank: int
    name: str
    department: str
    shares: int
    visitors: int
    points: int
    is_me: bool = False


def leaderboard_for(*, organization: Organization, period: Period, me: Any = None,
                    limit: int = 10) -> list[LeaderboardRow]:
    """Top advocates by points (10 per confirmed share, counted once per item and network;
    1 per unique visitor their links brought).

    People who opted out never appear. Only people who shared appear: nobody is listed for
    not sharing.
    """
    opted_out = set(AdvocateProfile.objects.filter(organization=organization,
                                                   leaderboard_opt_out=True)
                    .values_list("user_id", flat=True))
    shares = _shares(organization, period).exclude(user_id__in=opted_out)
    per_user = {r["user"]: r for r in shares.values("user", "user__full_name",
                                                     "user__person_record__department__name")
                .annotate(n=Count(Concat("item_id", Value(":"), "network"), distinct=True))}
    visitors = dict(_attributed(_clicks(organization, period)).filter(share__user_id__in=per_user)
                    .values("share__user").annotate(v=Count("visitor", distinct=True))
                    .values_list("share__user", "v"))
    rows = []
    for user_id, r in per_user.items():
        v = visitors.get(user_id, 0)
        rows.append(LeaderboardRow(
            rank=0, name=r["user__full_name"],
            department=r["user__person_record__department__name"] or UNASSIGNED,
            shares=r["n"], visitors=v, points=r["n"] * POINTS_PER_SHARE + v * POINTS_PER_VISITOR,
            is_me=me is not None and user_id == me.pk,
        ))
    rows.sort(key=lambda row: (-row.points, row.name))
    for index, row in enumerate(rows, start=1):
        row.rank = index
    return rows[:limit]


def points_for(*, user: Any, period: Period) -> int:
    shares = (_shares(user.organization, period).filter(user=user)
              .values("item", "network").distinct().count())
    visitors = (_attributed(_clicks(user.organization, period)).filter(share__user=user)
                .values("visitor").distinct().count())
    return shares * POINTS_PER_SHARE + visitors * POINTS_PER_VISITOR


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    total = day.year * 12 + day.month - 1 + months
    return datetime.date(total // 12, total % 12 + 1, 1)


def _months_between(a: datetime.date, b: datetime.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


@dataclass
class Health:
    invited: int
    active: int
    active_pct: int
    shares_30d: int
    shares_per_active: float
    monthly: list[dict[str, Any]]
    top: list[dict[str, Any]]
    stale: list[dict[str, Any]]
    cohort_columns: list[int]
    cohorts: list[dict[str, Any]]


def health_for(*, organization: Organization, now: datetime.datetime | None = None,
               months: int = 6) -> Health:
    """Program health: monthly active advocates (% of invited), shares per active advocate,
    top and stale content, and participation by month since joining (cohorts).

    Invited = employees with an account. Joining = the month someone could first take part:
    their start date (else when their record was created), but never before the programme's
    first approved content.
    """
    now = now or timezone.now()
    today = now.date()
    people = list(
        Person.objects.filter(organization=organization, status=Person.Status.EMPLOYEE,
                              user__isnull=False)
        .values("user_id", "start_date", "created_at")
    )
    invited = len(people)
    since = now - datetime.timedelta(days=30)
    # Confirmed shares only (issue 17/19): opening a composer is not taking part.
    recent = Share.objects.filter(organization=organization, created_at__gte=since,
                                  confirmed_at__isnull=False)
    active = recent.values("user").distinct().count()
    shares_30d = recent.count()
    # Which months each user shared in: the basis for the trend and the cohorts.
    shared_months: dict[int, set[datetime.date]] = defaultdict(set)
    for r in (Share.objects.filter(organization=organization, confirmed_at__isnull=False)
              .annotate(m=TruncMonth("created_at")).values("user", "m").distinct()):
        month = r["m"].date() if isinstance(r["m"], datetime.datetime) else r["m"]
        shared_months[r["user"]].add(month)
    monthly = []
    for k in range(months - 1, -1, -1):
        month = _add_months(_month_start(today), -k)
        n = sum(1 for months_ in shared_months.values() if month in months_)
        monthly.append({"month": month, "active": n,
                        "pct": round(100 * n / invited) if invited else 0})
    items = (ContentItem.objects.filter(organization=organization,
                                        status=ContentItem.Status.APPROVED)
             .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
             .annotate(
                 recent_shares=Count("shares", filter=Q(shares__created_at__gte=since,
                                                        shares__confirmed_at__isnull=False),
                                     distinct=True),
                 last_share=Max("shares__created_at",
                                filter=Q(shares__confirmed_at__isnull=False)),
             ))
    clicks_by_item = dict(
        Click.objects.filter(share__organization=organization, created_at__gte=since)
        .values("share__item").annotate(n=Count("pk")).values_list("share__item", "n")
    )
    rows = [{"item": i, "shares": i.recent_shares, "clicks": clicks_by_item.get(i.pk, 0),
             "last_share": i.last_share} for i in items]
    top = sorted([r for r in rows if r["shares"] or r["clicks"]],
                 key=lambda r: (-r["clicks"], -r["shares"], r["item"].title))[:5]
    # Stale: live for 30 days or more and nobody shared it in that time (an item approved a
    # minute ago is new, not stale).
    stale = sorted([r for r in rows if not r["shares"] and r["item"].approved_at is not None
                    and r["item"].approved_at <= since],
                   key=lambda r: (r["last_share"] or r["item"].created_at))[:5]
    columns = list(range(months))
    launched = (ContentItem.objects.filter(organization=organization, approved_at__isnull=False)
                .order_by("approved_at").values_list("approved_at", flat=True).first())
    cohorts: dict[datetime.date, list[int]] = defaultdict(list)
    for p in people:
        joined = p["start_date"] or p["created_at"].date()
        if launched is not None:
            joined = max(joined, launched.date())
        cohorts[_month_start(joined)].append(p["user_id"])
    cohort_rows = []
    for cohort in sorted(cohorts, reverse=True)[:12]:
        members = cohorts[cohort]
        cells: list[int | None] = []
        for offset in columns:
            month = _add_months(cohort, offset)
            if month > today:
                cells.append(None)
                continue
            n = sum(1 for uid in members if month in shared_months.get(uid, ()))
            cells.append(round(100 * n / len(members)))
        cohort_rows.append({"month": cohort, "size": len(members), "cells": cells,
                            "age": _months_between(cohort, today)})
    return Health(
        invited=invited, active=active,
        active_pct=round(100 * active / invited) if invited else 0,
        shares_30d=shares_30d,
        shares_per_active=round(shares_30d / active, 1) if active else 0.0,
        monthly=monthly, top=top, stale=stale, cohort_columns=columns, cohorts=cohort_rows,
    )
