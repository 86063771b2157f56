"""Issue 13: the daily click rollup gives exactly the figures of the click table."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from chorus.advocacy import analytics
from chorus.advocacy.models import Click, ClickDaily, ClickRollupState, Share
from chorus.advocacy.rollups import click_rollups_build
from chorus.advocacy.services import settings_update, share_confirm, share_create
from chorus.advocacy.tasks import click_rollups_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(org, admin, employee, employee2, approved_item):
    """Two confirmed shares with clicks spread over the last five days (today included)."""
    settings_update(actor=admin, leaderboard_enabled=True, daily_share_limit=10,
                    sharing_hours={}, disabled_networks=[], duplicate_nudge_threshold=3)
    a = share_confirm(user=employee, share=share_create(
        user=employee, item=approved_item, network="x", text="Lab"))
    b = share_confirm(user=employee2, share=share_create(
        user=employee2, item=approved_item, network="linkedin", text="Lab!"))
    now = timezone.now()
    rows = []
    for days_ago in range(5):
        at = now - datetime.timedelta(days=days_ago)
        for n in range(days_ago + 1):
            rows.append(Click(share=a, day=at.date(), visitor=f"v{n}", created_at=at))
        rows.append(Click(share=b, day=at.date(), visitor="v0", created_at=at))
    Click.objects.bulk_create(rows)
    Share.objects.filter(pk__in=[a.pk, b.pk]).update(created_at=now - datetime.timedelta(days=4))
    return a, b


def _figures(org, employee):
    period = analytics.period_ending_today(30)
    data = analytics.analytics_for(organization=org, period=period)
    return (
        (data.clicks, data.visitors, [d["clicks"] for d in data.by_day]),
        [(b.label, b.shares, b.clicks, b.visitors) for b in data.by_network],
        [(b.label, b.clicks, b.visitors) for b in data.by_department],
        [(b.label, b.clicks, b.visitors) for b in data.by_content],
        [(r.name, r.points) for r in analytics.leaderboard_for(organization=org, period=period)],
        analytics.points_for(user=employee, period=period),
    )


def test_rolled_up_days_give_the_same_figures_as_the_click_table(org, employee, history):
    live = _figures(org, employee)
    # 15 + 5 clicks; visitors are (day, hash) pairs: v0 clicked both shares each day.
    assert live[0][0] == 20 and live[0][1] == 15
    assert click_rollups_build(organization_id=org.pk) > 0
    state = ClickRollupState.objects.get(organization=org)
    assert state.through == timezone.now().date() - datetime.timedelta(days=1)
    assert not ClickDaily.objects.filter(day__gt=state.through).exists()  # today stays live
    assert _figures(org, employee) == live
    # A second run has nothing new to roll up and changes nothing.
    assert click_rollups_build(organization_id=org.pk) == 0
    assert _figures(org, employee) == live


def test_the_worker_task_rolls_up_and_the_page_shows_freshness(client_for, org, comms,
                                                               employee, history):
    click_rollups_task.enqueue()
    assert ClickRollupState.objects.filter(organization=org).exists()
    page = client_for(comms).get("/advocacy/hub/analytics/").content.decode()
    assert 'data-testid="total-clicks">20<' in page
    assert "daily rollup" in page


def test_a_rebuild_drops_clicks_erased_with_their_share(org, employee, history):
    a, _b = history
    click_rollups_build(organization_id=org.pk)
    Click.objects.filter(share=a).delete()
    click_rollups_build(organization_id=org.pk, rebuild=True)
    assert analytics.analytics_for(organization=org,
                                   period=analytics.period_ending_today(30)).clicks == 5
