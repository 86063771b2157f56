"""Program analytics and health for the communications hub, and the CSV export."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from chorus.advocacy import analytics
from chorus.advocacy.services import settings_for
from chorus.advocacy.views.base import editor_required
from chorus.common.csvexport import csv_stream
from chorus.common.types import AuthedRequest

PERIODS = {"7": 7, "30": 30, "90": 90, "365": 365}


def _period(request: AuthedRequest) -> tuple[str, analytics.Period]:
    key = request.GET.get("days", "30")
    if key not in PERIODS:
        key = "30"
    return key, analytics.period_ending_today(PERIODS[key])


@editor_required
def analytics_page(request: AuthedRequest) -> HttpResponse:
    key, period = _period(request)
    org = request.user.org
    data = analytics.analytics_for(organization=org, period=period)
    rules = settings_for(organization=org)
    charts = {
        "time": {"type": "line", "labels": [d["day"].strftime("%d %b") for d in data.by_day],
                 "datasets": [{"label": "Shares", "data": [d["shares"] for d in data.by_day]},
                              {"label": "Clicks", "data": [d["clicks"] for d in data.by_day]}]},
        "network": _bar(data.by_network),
        "department": _bar(data.by_department),
        "content": _bar(data.by_content[:10]),
    }
    leaders = (analytics.leaderboard_for(organization=org, period=period, rollup=data.rollup)
               if rules.leaderboard_enabled else None)
    return render(request, "advocacy/analytics.html", {
        "data": data, "days": key, "periods": PERIODS, "charts": charts, "leaders": leaders,
    })


def _bar(rows: list[analytics.Breakdown]) -> dict[str, Any]:
    return {"type": "bar", "labels": [r.label for r in rows],
            "datasets": [{"label": "Shares", "data": [r.shares for r in rows]},
                         {"label": "Clicks", "data": [r.clicks for r in rows]}]}


@editor_required
def analytics_csv(request: AuthedRequest) -> StreamingHttpResponse:
    _key, period = _period(request)
    rows = analytics.analytics_csv_rows(organization=request.user.org, period=period)
    return csv_stream(rows, filename=f"advocacy-{period.start}-{period.end}.csv")


@editor_required
def health(request: AuthedRequest) -> HttpResponse:
    data = analytics.health_for(organization=request.user.org)
    chart = {"type": "line", "labels": [m["month"].strftime("%b %Y") for m in data.monthly],
             "datasets": [{"label": "Active advocates (% of invited)",
                           "data": [m["pct"] for m in data.monthly]}]}
    return render(request, "advocacy/health.html", {"h": data, "chart": chart,
                                                     "today": datetime.date.today()})
