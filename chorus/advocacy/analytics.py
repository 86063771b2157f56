"""Analytics, leaderboard and program health for the content hub.

Aggregates only: these reads never list what one person shared, apart from the opt-out
leaderboard. Participation is never a disciplinary signal (research AMP-04), so nothing here
ranks or flags people who do not share.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, DateField, F, Max, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, Greatest, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy

from chorus.advocacy import rollups
from chorus.advocacy.models import AdvocateProfile, Click, ContentItem, Share
from chorus.advocacy.networks import Network
from chorus.people.models import Organization, Person, User

POINTS_PER_SHARE = 10
POINTS_PER_VISITOR = 1
UNASSIGNED = "No department"
CONTENT_ROWS = 50  # rows of the by-content table (the CSV export has every item)


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
    by_language: list[Breakdown] = field(default_factory=list)  # by caption language
    content_total: int = 0  # items with shares or clicks (by_content shows the top ones)
    rolled_through: datetime.date | None = None  # clicks up to this day from the rollup
    rolled_at: datetime.datetime | None = None  # when the rollup was built
    rollup: Any = None  # the ClickRollupState read (passed on to leaderboard_for)


def _attributed(clicks: QuerySet[Click]) -> QuerySet[Click]:
    """The clicks that count for the person who shared: all, except those after the person
    left (`Share.attribution_ended_at`, set by offboarding)."""
    return clicks.filter(Q(share__attribution_ended_at__isnull=True)
                         | Q(created_at__lte=F("share__attribution_ended_at")))


def _breakdown(
    shares: QuerySet[Share], clicks: dict[str, tuple[int, int]], share_key: str,
    labels: dict[Any, str], key_type: Any = str,
) -> list[Breakdown]:
    rows: dict[Any, Breakdown] = {}
    for r in shares.order_by().values(share_key).annotate(n=Count("pk")):
        key = r[share_key]
        rows.setdefault(key, Breakdown(labels.get(key, str(key) if key else UNASSIGNED)))
        rows[key].shares = r["n"]
    for raw, (n, v) in clicks.items():
        key = key_type(raw) if raw else None
        rows.setdefault(key, Breakdown(labels.get(key, str(key) if key else UNASSIGNED)))
        rows[key].clicks, rows[key].visitors = n, v
    return sorted(rows.values(), key=lambda b: (-b.clicks, -b.shares, b.label))


def analytics_for(*, organization: Organization, period: Period) -> Analytics:
    """Shares, clicks and unique visitors over time and by content, network and department.

    A unique visitor is one (day, salted hash) pair: the salt changes daily by design. Clicks
    come from the daily rollup (`chorus.advocacy.rollups`) plus the days after it, live."""
    shares = _shares(organization, period)
    state = rollups.rollup_state(organization_id=organization.pk)
    out = Analytics(period=period, rolled_through=state.through if state else None,
                    rolled_at=state.built_at if state else None, rollup=state)

    def figures(dimension: str) -> dict[str, tuple[int, int]]:
        return rollups.click_figures(organization_id=organization.pk, start=period.start,
                                     end=period.end, dimension=dimension, state=state)

    # Once per (item, network, person), even for rows from before shares were reused.
    out.shares = shares.order_by().values("item", "network", "user").distinct().count()
    out.intents = _intents(organization, period).order_by().values(
        "item", "network", "user").distinct().count()
    out.clicks, out.visitors = figures(rollups.Dimension.ALL).get("", (0, 0))
    out.advocates = shares.order_by().values("user").distinct().count()
    if out.shares:
        out.edited_pct = round(100 * shares.filter(edited=True).count() / out.shares)
    share_days = dict(shares.annotate(d=TruncDate("created_at")).order_by().values("d")
                      .annotate(n=Count("pk")).values_list("d", "n"))
    click_days = rollups.click_days(organization_id=organization.pk, start=period.start,
                                    end=period.end, state=state)
    out.by_day = [{"day": d, "shares": share_days.get(d, 0), "clicks": click_days.get(d, 0)}
                  for d in period.days()]
    by_item = figures(rollups.Dimension.ITEM)
    item_shares = dict(shares.order_by().values("item_id").annotate(n=Count("pk"))
                       .values_list("item_id", "n"))
    # The content table shows the CONTENT_ROWS items with most clicks (then shares); titles
    # are loaded for those only.
    ranked = sorted({*item_shares, *(int(k) for k in by_item if k)},
                    key=lambda pk: (-by_item.get(str(pk), (0, 0))[0], -item_shares.get(pk, 0)))
    out.content_total = len(ranked)
    top_ids = ranked[:CONTENT_ROWS]
    titles = dict(ContentItem.objects.filter(organization=organization, pk__in=top_ids)
                  .values_list("pk", "title"))
    out.by_content = _breakdown(shares.filter(item_id__in=top_ids),
                                {k: v for k, v in by_item.items() if k and int(k) in titles},
                                "item_id", titles, key_type=int)
    out.by_network = _breakdown(shares, figures(rollups.Dimension.NETWORK), "network",
                                {k: str(v) for k, v in Network.choices})
    out.by_department = _breakdown(shares, figures(rollups.Dimension.DEPARTMENT),
                                   "department__name", {None: UNASSIGNED})
    out.by_language = _by_language(organization, period, shares)
    return out


def _by_language(
    organization: Organization, period: Period, shares: QuerySet[Share]
) -> list[Breakdown]:
    """Shares and clicks per language of the caption the person started from (issue 16);
    shares written from scratch are a row of their own. Clicks are counted live: the daily
    rollup has no language dimension."""
    labels: dict[Any, str] = {code: str(name) for code, name in settings.LANGUAGES}
    labels[None] = str(OWN_WORDS)
    clicks = _attributed(Click.objects.filter(
        share__organization=organization, day__gte=period.start, day__lte=period.end))
    figures = {
        r["share__caption__language"]: (r["n"], r["v"])
        for r in clicks.order_by().values("share__caption__language")
        .annotate(n=Count("pk"), v=Count("visitor", distinct=True))
    }
    rows: dict[Any, Breakdown] = {}
    for r in shares.order_by().values("caption__language").annotate(n=Count("pk")):
        key = r["caption__language"]
        rows.setdefault(key, Breakdown(labels.get(key, str(key))))
        rows[key].shares = r["n"]
    for key, (n, v) in figures.items():
        rows.setdefault(key, Breakdown(labels.get(key, str(key))))
        rows[key].clicks, rows[key].visitors = n, v
    return sorted(rows.values(), key=lambda b: (-b.clicks, -b.shares, b.label))


CSV_HEADER = ["date", "content", "slug", "network", "department", "shares", "clicks",
              "unique_visitors", "caption_language"]
# The caption-language column of a share written from scratch (no suggested caption).
CSV_OWN_WORDS = "own"
OWN_WORDS = gettext_lazy("Own words (no suggested caption)")


def analytics_csv_rows(*, organization: Organization, period: Period) -> Iterator[list[Any]]:
    """Daily rows per content, network and department: aggregates only, no names.

    Yields the header, then the rows one day at a time (two small grouped queries per day on
    the share and click day indexes), so a year of a large organization streams in constant
    memory instead of being built whole."""
    yield CSV_HEADER
    for day in period.days():
        one_day = Period(start=day, end=day)
        rows: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
        for share_row in (_shares(organization, one_day).order_by()
                          .values("item__title", "item__slug", "network", "department__name",
                                  "caption__language")
                          .annotate(n=Count("pk"))):
            key = (share_row["item__title"], share_row["item__slug"], share_row["network"],
                   share_row["department__name"], share_row["caption__language"])
            rows[key][0] = share_row["n"]
        for click_row in (Click.objects.filter(share__organization=organization, day=day)
                          .order_by().values("share__item__title", "share__item__slug",
                                             "share__network", "share__department__name",
                                             "share__caption__language")
                          .annotate(n=Count("pk"), v=Count("visitor", distinct=True))):
            key = (click_row["share__item__title"], click_row["share__item__slug"],
                   click_row["share__network"], click_row["share__department__name"],
                   click_row["share__caption__language"])
            rows[key][1], rows[key][2] = click_row["n"], click_row["v"]
        for key in sorted(rows, key=lambda k: (k[0], k[2], k[3] or "", k[4] or "")):
            title, slug, network, dept, language = key
            yield [day.isoformat(), title, slug, network, dept or UNASSIGNED, *rows[key],
                   language or CSV_OWN_WORDS]


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
                    limit: int = 10, rollup: Any = rollups.LOOK_UP) -> list[LeaderboardRow]:
    """Top advocates by points (10 per confirmed share, counted once per item and network;
    1 per unique visitor their links brought).

    People who opted out never appear. Only people who shared appear: nobody is listed for
    not sharing.
    """
    opted_out = set(AdvocateProfile.objects.filter(organization=organization,
                                                   leaderboard_opt_out=True)
                    .values_list("user_id", flat=True))
    # Points are computed from two integer-only aggregates (shares per person from the share
    # table, visitors per sharer from the click rollup); names are loaded for the top rows.
    per_user = dict(_shares(organization, period).order_by().values("user")
                    .annotate(n=Count(Concat("item_id", Value(":"), "network"), distinct=True))
                    .values_list("user", "n"))
    for user_id in opted_out:
        per_user.pop(user_id, None)
    visitors = {int(k): v for k, (_n, v) in rollups.click_figures(
        organization_id=organization.pk, start=period.start, end=period.end,
        dimension=rollups.Dimension.USER, state=rollup).items() if k}
    scored = [(n * POINTS_PER_SHARE + visitors.get(uid, 0) * POINTS_PER_VISITOR, uid, n)
              for uid, n in per_user.items()]
    # Ties are broken by name, so take every row tied with the last one kept, then sort.
    scored.sort(key=lambda row: -row[0])
    if len(scored) > limit:
        cut = scored[limit - 1][0]
        scored = [row for row in scored if row[0] >= cut]
    names = {r["pk"]: r for r in User.objects.filter(pk__in=[uid for _p, uid, _n in scored])
             .values("pk", "full_name", "person_record__department__name")}
    rows = []
    for points, user_id, n in scored:
        r = names.get(user_id)
        if r is None:
            continue
        rows.append(LeaderboardRow(
            rank=0, name=r["full_name"],
            department=r["person_record__department__name"] or UNASSIGNED,
            shares=n, visitors=visitors.get(user_id, 0), points=points,
            is_me=me is not None and user_id == me.pk,
        ))
    rows.sort(key=lambda row: (-row.points, row.name))
    for index, row in enumerate(rows, start=1):
        row.rank = index
    return rows[:limit]


def points_for(*, user: Any, period: Period) -> int:
    shares = (_shares(user.organization, period).filter(user=user).order_by()
              .values("item", "network").distinct().count())
    _n, visitors = rollups.click_figures(
        organization_id=user.organization_id, start=period.start, end=period.end,
        dimension=rollups.Dimension.USER, keys=[str(user.pk)]).get(str(user.pk), (0, 0))
    return shares * POINTS_PER_SHARE + visitors * POINTS_PER_VISITOR


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


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
    # Every figure is an aggregate in the database: no list of employees or shares is loaded.
    people = Person.objects.filter(organization=organization, status=Person.Status.EMPLOYEE,
                                   user__isnull=False)
    invited = people.count()
    since = now - datetime.timedelta(days=30)
    # Confirmed shares only (issues 17/19): opening a composer is not taking part.
    recent = Share.objects.filter(organization=organization, created_at__gte=since,
                                  confirmed_at__isnull=False).order_by()
    active = recent.values("user").distinct().count()
    shares_30d = recent.count()
    first_month = _add_months(_month_start(today), -(months - 1))
    first_dt = timezone.make_aware(datetime.datetime.combine(first_month, datetime.time.min))
    active_by_month = {
        _as_date(m): n for m, n in
        Share.objects.filter(organization=organization, created_at__gte=first_dt,
                             confirmed_at__isnull=False).order_by()
        .annotate(m=TruncMonth("created_at")).values("m")
        .annotate(n=Count("user", distinct=True)).values_list("m", "n")
    }
    monthly = []
    for k in range(months - 1, -1, -1):
        month = _add_months(_month_start(today), -k)
        n = active_by_month.get(month, 0)
        monthly.append({"month": month, "active": n,
                        "pct": round(100 * n / invited) if invited else 0})
    live = (ContentItem.objects.filter(organization=organization,
                                       status=ContentItem.Status.APPROVED)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)))
    recent_by_item = dict(recent.filter(item__in=live).values("item")
                          .annotate(n=Count("pk", distinct=True)).values_list("item", "n"))
    clicks_by_item = {int(k): n for k, (n, _v) in rollups.click_figures(
        organization_id=organization.pk, start=since.date(), end=today,
        dimension=rollups.Dimension.ITEM).items() if k}
    top_ids = sorted({pk for pk in (*recent_by_item, *clicks_by_item)},
                     key=lambda pk: (-clicks_by_item.get(pk, 0), -recent_by_item.get(pk, 0)))
    top_items = {i.pk: i for i in live.filter(pk__in=top_ids[:25])}
    ranked_top = sorted((pk for pk in top_ids[:25] if pk in top_items),
                        key=lambda pk: (-clicks_by_item.get(pk, 0), -recent_by_item.get(pk, 0),
                                        top_items[pk].title))[:5]
    top: list[dict[str, Any]] = [
        {"item": top_items[pk], "shares": recent_by_item.get(pk, 0),
         "clicks": clicks_by_item.get(pk, 0), "last_share": None} for pk in ranked_top]
    # Stale: live for 30 days or more and nobody shared it in that time (an item approved a
    # minute ago is new, not stale); the ones whose last share is oldest first.
    stale_items = list(live.filter(approved_at__isnull=False, approved_at__lte=since)
                       .exclude(pk__in=list(recent_by_item))
                       .annotate(last_share=Max("shares__created_at",
                                                filter=Q(shares__confirmed_at__isnull=False)))
                       .order_by(F("last_share").asc(nulls_first=True), "created_at")[:5])
    stale = [{"item": i, "shares": 0, "clicks": clicks_by_item.get(i.pk, 0),
              "last_share": i.last_share} for i in stale_items]
    columns = list(range(months))
    launched = (ContentItem.objects.filter(organization=organization, approved_at__isnull=False)
                .order_by("approved_at").values_list("approved_at", flat=True).first())

    def joined(prefix: str = "") -> Any:
        day: Any = Coalesce(f"{prefix}start_date", TruncDate(f"{prefix}created_at"))
        if launched is not None:
            day = Greatest(day, Value(launched.date()), output_field=DateField())
        return TruncMonth(day, output_field=DateField())

    sizes = {_as_date(m): n for m, n in people.order_by().annotate(c=joined()).values("c")
             .annotate(n=Count("pk")).values_list("c", "n")}
    shown = sorted(sizes, reverse=True)[:12]
    participation: dict[tuple[datetime.date, datetime.date], int] = {}
    if shown:
        oldest = timezone.make_aware(datetime.datetime.combine(min(shown), datetime.time.min))
        for c, m, n in (Share.objects.filter(
                organization=organization, created_at__gte=oldest, confirmed_at__isnull=False,
                user__person_record__in=people).order_by()
                .annotate(c=joined("user__person_record__"), m=TruncMonth("created_at"))
                .values("c", "m").annotate(n=Count("user", distinct=True))
                .values_list("c", "m", "n")):
            participation[(_as_date(c), _as_date(m))] = n
    cohort_rows = []
    for cohort in shown:
        size = sizes[cohort]
        cells: list[int | None] = []
        for offset in columns:
            month = _add_months(cohort, offset)
            if month > today:
                cells.append(None)
                continue
            cells.append(round(100 * participation.get((cohort, month), 0) / size))
        cohort_rows.append({"month": cohort, "size": size, "cells": cells,
                            "age": _months_between(cohort, today)})
    return Health(
        invited=invited, active=active,
        active_pct=round(100 * active / invited) if invited else 0,
        shares_30d=shares_30d,
        shares_per_active=round(shares_30d / active, 1) if active else 0.0,
        monthly=monthly, top=top, stale=stale, cohort_columns=columns, cohorts=cohort_rows,
    )
