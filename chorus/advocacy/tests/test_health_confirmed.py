"""Program health counts only confirmed shares: opening a composer is not taking part."""

from __future__ import annotations

import pytest

from chorus.advocacy import analytics
from chorus.advocacy.services import share_confirm, share_create

pytestmark = pytest.mark.django_db


def test_an_unconfirmed_intent_is_not_participation(org, employee, employee2, approved_item):
    share_create(user=employee, item=approved_item, network="x", text="Maybe")
    posted = share_create(user=employee2, item=approved_item, network="x", text="Posted")
    before = analytics.health_for(organization=org)
    assert (before.active, before.shares_30d) == (0, 0)
    assert before.monthly[-1]["active"] == 0
    share_confirm(user=employee2, share=posted)
    after = analytics.health_for(organization=org)
    assert (after.active, after.shares_30d) == (1, 1)
    assert after.monthly[-1]["active"] == 1
    assert [r["shares"] for r in after.top] == [1]
