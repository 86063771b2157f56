"""The content calendar (in the reader's time zone) and the phone share sheet button."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from chorus.advocacy.services import share_create
from chorus.advocacy.tests.conftest import make_item

pytestmark = pytest.mark.django_db


def test_calendar_shows_scheduled_and_expiring_items_in_the_readers_zone(client_for, comms,
                                                                         admin, outsider):
    comms.timezone = "Asia/Tokyo"
    comms.save()
    # 23:30 UTC on 14 Jan is 08:30 on 15 Jan in Tokyo.
    live = datetime.datetime(2027, 1, 14, 23, 30, tzinfo=datetime.UTC)
    make_item(author=comms, approver=admin, title="New year launch", publish_at=live,
              expires_at=live + datetime.timedelta(days=10))
    make_item(author=comms, title="February idea", link="https://northwind.example/feb",
              publish_at=datetime.datetime(2027, 2, 3, 9, tzinfo=ZoneInfo("Asia/Tokyo")))
    page = client_for(comms).get(reverse("advocacy:calendar") + "?month=2027-01")
    html = page.content.decode()
    assert page.status_code == 200 and "Asia/Tokyo" in html
    assert "Fri 15 Jan" in html and "08:30" in html and "Goes live" in html
    assert "Mon 25 Jan" in html and "Expires" in html
    assert "February idea" not in html
    feb = client_for(comms).get(reverse("advocacy:calendar") + "?month=2027-02").content.decode()
    assert "February idea" in feb and "New year launch" not in feb
    # A malformed month shows the current month instead of an error.
    assert client_for(comms).get(reverse("advocacy:calendar") + "?month=13-x").status_code == 200
    other = client_for(outsider).get(reverse("advocacy:calendar") + "?month=2027-01")
    assert "New year launch" not in other.content.decode()


def test_calendar_is_for_comms(client_for, employee):
    assert client_for(employee).get(reverse("advocacy:calendar")).status_code == 403


def test_share_ready_offers_the_share_sheet_with_the_tracked_link(client_for, employee,
                                                                  approved_item):
    share = share_create(user=employee, item=approved_item, network="mastodon",
                         text="Proud of the lab", mastodon_instance="social.example")
    html = client_for(employee).get(reverse("advocacy:share-ready", args=[share.pk])) \
        .content.decode()
    assert 'data-web-share' in html and f'/l/{share.code}' in html
    assert "advocacy/web-share.js" in html
    # The button starts hidden: only the script shows it where navigator.share exists.
    assert 'type="button" hidden data-web-share' in html
