"""Daily click rollups: what the analytics, leaderboard and points read instead of the click
table, which grows by one row per tracked-link visit (millions in a large organization).

`click_rollups_build` aggregates every closed day (UTC) not rolled up yet into `ClickDaily`,
one `INSERT ... SELECT ... GROUP BY` per dimension, and moves `ClickRollupState.through`. The
worker runs it every 15 minutes (`click_rollups_task`), `chorus seed --scale` once at the end.
`click_figures` and `click_days` add the rolled-up days to the days after `through`, counted
live from the click table (normally only today, a few thousand rows on its day index), so the
figures are exact and current whatever the worker's delay; the page shows the freshness.

Clicks are deleted with their share (privacy erasure): the next full rebuild
(`click_rollups_build(rebuild=True)`, run nightly) drops them from past days too.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db import connection, transaction
from django.db.models import CharField, Count, F, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from chorus.advocacy.models import Click, ClickDaily, ClickRollupState

Dimension = ClickDaily.Dimension


def _key_expression(dimension: str) -> Any:
    expressions: dict[str, Any] = {
        Dimension.ALL: Value("", output_field=CharField()),
        Dimension.ITEM: Cast("share__item_id", CharField()),
        Dimension.NETWORK: F("share__network"),
        Dimension.DEPARTMENT: Coalesce("share__department__name", Value(""),
                                       output_field=CharField()),
        Dimension.USER: Cast("share__user_id", CharField()),
    }
    return expressions[dimension]


# The click filter that selects one key of a dimension (for `click_figures(keys=...)`).
_KEY_FIELDS: dict[str, str] = {Dimension.ITEM: "share__item_id", Dimension.USER: "share__user_id",
               Dimension.NETWORK: "share__network"}


def _grouped(clicks: Any, dimension: str) -> Any:
    """(day, key, clicks, distinct visitors) of `clicks` for one dimension. Per sharer, only
    the clicks that count for them: none after they left (`Share.attribution_ended_at`)."""
    if dimension == Dimension.USER:
        clicks = clicks.filter(Q(share__attribution_ended_at__isnull=True)
                               | Q(created_at__lte=F("share__attribution_ended_at")))
    return (clicks.annotate(k=_key_expression(dimension)).order_by().values("day", "k")
            .annotate(n=Count("pk"), v=Count("visitor", distinct=True))
            .values_list("day", "k", "n", "v"))


def click_rollups_build(*, organization_id: int, through: datetime.date | None = None,
                        rebuild: bool = False) -> int:
    """Roll up the closed days since the last run (or every day, `rebuild`) through
    `through` (default: yesterday, UTC). Returns the number of rollup rows written."""
    through = through or timezone.now().date() - datetime.timedelta(days=1)
    state = ClickRollupState.objects.filter(organization_id=organization_id).first()
    start = None if rebuild or state is None else state.through + datetime.timedelta(days=1)
    written = 0
    with transaction.atomic():
        if start is None or start <= through:
            old = ClickDaily.objects.filter(organization_id=organization_id, day__lte=through)
            clicks = Click.objects.filter(share__organization_id=organization_id,
                                          day__lte=through)
            if start is not None:
                old, clicks = old.filter(day__gte=start), clicks.filter(day__gte=start)
            old.delete()
            table = ClickDaily._meta.db_table
            for dimension in Dimension.values:
                sql, params = _grouped(clicks, dimension).query.sql_with_params()
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"INSERT INTO {table} (organization_id, dimension, day, key, clicks, "  # noqa: S608
                        f"visitors) SELECT %s, %s, sub.* FROM ({sql}) sub",
                        (organization_id, dimension, *params),
                    )
                    written += max(cursor.rowcount, 0)
        ClickRollupState.objects.update_or_create(
            organization_id=organization_id,
            defaults={"through": max(through, state.through) if state and not rebuild
                      else through, "built_at": timezone.now()},
        )
    return written


def click_rollups_build_all(*, rebuild: bool = False) -> int:
    """`click_rollups_build` for every organization with shares."""
    from chorus.advocacy.models import Share

    org_ids = Share.objects.order_by().values_list("organization_id", flat=True).distinct()
    return sum(click_rollups_build(organization_id=org_id, rebuild=rebuild)
               for org_id in list(org_ids))


# `state=LOOK_UP` (the default) reads the organization's ClickRollupState; pass the state
# already read (or None: no rollup yet) to save the query.
LOOK_UP: Any = object()


def rollup_state(*, organization_id: int) -> ClickRollupState | None:
    return ClickRollupState.objects.filter(organization_id=organization_id).first()


def _live_from(state: ClickRollupState | None, start: datetime.date) -> datetime.date:
    if state is None:
        return start
    return max(start, state.through + datetime.timedelta(days=1))


def click_figures(*, organization_id: int, start: datetime.date, end: datetime.date,
                  dimension: str, state: Any = LOOK_UP,
                  keys: list[str] | None = None) -> dict[str, tuple[int, int]]:
    """{key: (clicks, unique visitors)} over [start, end] for one dimension: rolled-up days
    from `ClickDaily`, later ones live. `keys` limits the result to those keys."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    if state is LOOK_UP:
        state = rollup_state(organization_id=organization_id)
    if state is not None and state.through >= start:
        rolled = ClickDaily.objects.filter(organization_id=organization_id, dimension=dimension,
                                           day__gte=start, day__lte=min(end, state.through))
        if keys is not None:
            rolled = rolled.filter(key__in=keys)
        for key, n, v in (rolled.order_by().values("key").annotate(n=Sum("clicks"),
                                                                   v=Sum("visitors"))
                          .values_list("key", "n", "v")):
            totals[key][0] += n
            totals[key][1] += v
    live_from = _live_from(state, start)
    if live_from <= end:
        clicks = Click.objects.filter(share__organization_id=organization_id,
                                      day__gte=live_from, day__lte=end)
        if keys is not None and dimension in _KEY_FIELDS:
            clicks = clicks.filter(**{f"{_KEY_FIELDS[dimension]}__in": keys})
        for _day, key, n, v in _grouped(clicks, dimension):
            if keys is None or key in keys:
                totals[key][0] += n
                totals[key][1] += v
    return {key: (n, v) for key, (n, v) in totals.items()}


def click_days(*, organization_id: int, start: datetime.date, end: datetime.date,
               state: Any = LOOK_UP) -> dict[datetime.date, int]:
    """Clicks per day over [start, end] (rolled-up days, then live)."""
    days: dict[datetime.date, int] = {}
    if state is LOOK_UP:
        state = rollup_state(organization_id=organization_id)
    if state is not None and state.through >= start:
        days.update(ClickDaily.objects.filter(
            organization_id=organization_id, dimension=Dimension.ALL, day__gte=start,
            day__lte=min(end, state.through)).values_list("day", "clicks"))
    live_from = _live_from(state, start)
    if live_from <= end:
        days.update(Click.objects.filter(share__organization_id=organization_id,
                                         day__gte=live_from, day__lte=end)
                    .order_by().values("day").annotate(n=Count("pk")).values_list("day", "n"))
    return days
