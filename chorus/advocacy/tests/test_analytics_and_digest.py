from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core import mail
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from chorus.advocacy import analytics
from chorus.advocacy.models import Click, ContentItem, DigestDelivery
from chorus.advocacy.services import (
    digest_send_weekly,
    profile_update,
    settings_update,
    share_confirm,
    share_create,
)
from chorus.advocacy.tasks import digest_send_weekly_task
from chorus.advocacy.tests.conftest import make_item

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15"


def _click(client, share, ip="192.0.2.1"):
    client.get(f"/l/{share.code}", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=ip)


@pytest.fixture
def activity(client, employee, employee2, approved_item):
    a = share_create(user=employee, item=approved_item, network="mastodon", text="Lab is open",
                     mastodon_instance="mastodon.social")
    b = share_create(user=employee2, item=approved_item, network="x", text="Our lab!")
    # Both say they posted: only confirmed shares count.
    a, b = share_confirm(user=employee, share=a), share_confirm(user=employee2, share=b)
    for ip in ("192.0.2.1", "192.0.2.1", "198.51.100.9"):
        _click(client, a, ip)
        # A repeat visit counts again only after the half-hour window: age the earlier clicks.
        Click.objects.update(created_at=F("created_at") - datetime.timedelta(minutes=31))
    _click(client, b)
    return a, b


def test_analytics_count_shares_clicks_and_visitors_by_network_and_department(org, activity):
    data = analytics.analytics_for(organization=org, period=analytics.period_ending_today(30))
    # 192.0.2.1 clicked both shares: one visitor for the organization, one per share.
    assert (data.shares, data.clicks, data.visitors, data.advocates) == (2, 4, 2, 2)
    by_network = {b.label: (b.shares, b.clicks, b.visitors) for b in data.by_network}
    assert by_network == {"Mastodon": (1, 3, 2), "X": (1, 1, 1)}
    by_dept = {b.label: (b.shares, b.clicks) for b in data.by_department}
    assert by_dept == {"Engineering": (1, 3), "Sales": (1, 1)}
    assert data.by_day[-1] == {"day": timezone.now().date(), "shares": 2, "clicks": 4}


def test_analytics_page_and_csv_export(client_for, comms, activity,
                                       django_assert_max_num_queries):
    client = client_for(comms)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("advocacy:analytics"))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="total-clicks">4<' in html
    assert "data-chart=" in html and "vendor/chart/chart.umd.min.js" in html
    export = client.get(reverse("advocacy:analytics-csv") + "?days=7")
    body = b"".join(export.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["date", "content", "slug", "network", "department", "shares", "clicks",
                       "unique_visitors", "caption_language"]
    assert sorted(r[3:8] for r in rows[1:]) == [
        ["mastodon", "Engineering", "1", "3", "2"], ["x", "Sales", "1", "1", "1"]]
    assert "employee" not in body.lower()  # aggregates, no names


def test_employees_cannot_see_analytics(client_for, employee):
    assert client_for(employee).get(reverse("advocacy:analytics")).status_code == 403


def test_leaderboard_is_off_by_default_and_respects_opt_out(client_for, org, comms, employee,
                                                           employee2, activity):
    client = client_for(employee)
    assert client.get(reverse("advocacy:leaderboard")).status_code == 404
    settings_update(actor=comms, leaderboard_enabled=True, daily_share_limit=10,
                    sharing_hours={}, disabled_networks=[], duplicate_nudge_threshold=3)
    rows = analytics.leaderboard_for(organization=org, period=analytics.period_ending_today(30))
    assert [(r.name, r.points) for r in rows] == [("Employee", 12), ("Employee2", 11)]
    profile_update(user=employee, mastodon_instance="", leaderboard_opt_out=True,
                   digest_opt_out=False)
    page = client.get(reverse("advocacy:leaderboard")).content.decode()
    assert "<td>Employee2</td>" in page and "<td>Employee</td>" not in page
    assert "chose to stay off the leaderboard" in page


def test_program_health_counts_active_advocates_and_stale_content(org, comms, admin, activity):
    stale = make_item(author=comms, approver=admin, title="Nobody shares this")
    fresh = make_item(author=comms, approver=admin, title="Approved a minute ago")
    ContentItem.objects.filter(pk=stale.pk).update(
        approved_at=timezone.now() - datetime.timedelta(days=31))
    health = analytics.health_for(organization=org)
    assert fresh not in [r["item"] for r in health.stale]  # new, not stale
    # Invited: comms, admin, manager, employee, employee2 (all with accounts).
    assert (health.invited, health.active, health.active_pct) == (5, 2, 40)
    assert health.shares_per_active == 1.0
    assert [r["item"] for r in health.stale] == [stale]
    assert health.top[0]["clicks"] == 4
    assert health.cohorts[0]["cells"][0] == 40


def test_health_page_renders(client_for, comms, activity):
    page = client_for(comms).get(reverse("advocacy:health")).content.decode()
    assert "Participation by month since joining" in page and "40%" in page


def test_weekly_digest_is_sent_once_per_person_and_week(comms, admin, employee, employee2,
                                                        approved_item,
                                                        django_capture_on_commit_callbacks):
    profile_update(user=employee2, mastodon_instance="", leaderboard_opt_out=False,
                   digest_opt_out=True)
    with django_capture_on_commit_callbacks(execute=True):  # notify() e-mails after commit
        sent = digest_send_weekly()
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert sent == len(mail.outbox) == len(recipients)
    assert employee.email in recipients and employee2.email not in recipients
    assert "We opened a new lab" in mail.outbox[0].body
    assert digest_send_weekly() == 0  # a rerun sends nothing twice
    digest_send_weekly_task.enqueue()
    assert len(mail.outbox) == sent
    assert DigestDelivery.objects.count() == sent


def test_digest_skips_old_content(employee, comms, admin):
    make_item(author=comms, approver=admin)
    later = timezone.now() + datetime.timedelta(days=10)
    assert digest_send_weekly(now=later) == 0


def test_digest_plain_text_is_not_html_escaped(comms, admin, employee,
                                              django_capture_on_commit_callbacks):
    make_item(author=comms, approver=admin, title="We're hiring robotics engineers in Lisbon")
    with django_capture_on_commit_callbacks(execute=True):
        digest_send_weekly()
    body = next(m.body for m in mail.outbox if m.to == [employee.email])
    assert "We're hiring robotics engineers" in body and "&#x27;" not in body
