"""50 people open a shared link at the same moment, while colleagues share (issue 11, item 17):
every visitor is redirected and counted exactly once, on SQLite (a file database, as deployed)
and on PostgreSQL (`make test-postgres`), including the race to create the day's salt."""

from __future__ import annotations

import pytest
from django.test import Client

from chorus.advocacy import tracking
from chorus.advocacy.models import Click, ClickSalt, Share
from chorus.advocacy.services import share_create
from chorus.common.testing import in_own_connection, own_connections_per_thread, run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126 Safari/537.36"


def test_fifty_simultaneous_clicks_and_shares_all_succeed_once(
    tmp_path, employee, employee2, manager, hr, legal, approved_item
):
    sharers = [employee2, manager, hr, legal]
    share = share_create(user=employee, item=approved_item, network="bluesky", text="Look")
    ClickSalt.objects.all().delete()
    tracking._salt_cache.clear()  # every thread races to create today's salt

    def click(index: int):
        return Client().get(
            # One visitor per network (/24, see tracking.py): 50 people on 50 networks.
            f"/l/{share.code}", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=f"198.51.{index + 1}.7"
        )

    def share_again(user):
        return share_create(
            user=user,
            item=approved_item,
            network="bluesky",
            text=f"Worth a read, says {user.full_name}",
        )

    calls = [lambda i=i: click(i) for i in range(50)]
    calls += [lambda u=u: share_again(u) for u in sharers]
    with own_connections_per_thread(tmp_path):
        results = run_concurrently(calls)
        tracking._salt_cache.clear()

        errors = [r for r in results if isinstance(r, Exception)]
        assert errors == []
        assert [r.status_code for r in results[:50]] == [302] * 50

        def stored():
            return {
                "clicks": Click.objects.filter(share=share).count(),
                "visitors": Click.objects.filter(share=share).values("visitor").distinct().count(),
                "salts": ClickSalt.objects.count(),
                "shares": Share.objects.filter(user__in=sharers).count(),
            }

        result = in_own_connection(stored)

    assert result == {"clicks": 50, "visitors": 50, "salts": 1, "shares": 4}
