"""Earned media value: confirmed shares and real clicks, the organization's rates, the formula
shown, the breakdowns and the CSV export."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from chorus.advocacy.analytics import period_ending_today
from chorus.advocacy.emv import emv_for
from chorus.advocacy.models import EmvSettings
from chorus.advocacy.services import share_confirm, share_create
from chorus.advocacy.services.emv import emv_settings_update
from chorus.advocacy.tests.conftest import make_item
from chorus.advocacy.tracking import resolve_click
from chorus.common.errors import InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"


def _rates(comms, **over):
    rates = {"linkedin": {"cpm": "30.00", "cpc": "5.50", "reach": "400"},
             "x": {"cpm": "10", "cpc": "1", "reach": "100"}}
    rates.update(over)
    return emv_settings_update(actor=comms, currency="EUR", rates=rates)


@pytest.fixture
def shared(comms, admin, employee, employee2):
    item = make_item(author=comms, approver=admin, tags=["lab"])
    li = share_create(user=employee, item=item, network="linkedin", text="Our lab is open")
    share_confirm(user=employee, share=li)
    x = share_create(user=employee2, item=item, network="x", text="Lab!")
    share_confirm(user=employee2, share=x)
    # An intent that was never posted: no impressions.
    share_create(user=employee, item=item, network="x", text="Maybe later")
    for ip in ("203.0.113.5", "198.51.100.5", "192.0.2.5"):  # three visitors' networks
        assert resolve_click(code=li.code, ip=ip, user_agent=BROWSER)
    assert resolve_click(code=x.code, ip="100.64.1.7", user_agent=BROWSER)
    return item


def test_emv_counts_confirmed_shares_and_clicks_with_the_orgs_rates(comms, org, shared):
    _rates(comms)
    report = emv_for(organization=org, period=period_ending_today(30))
    # LinkedIn: 1 share × 400 / 1000 × 30 + 3 clicks × 5.50 = 12 + 16.50 = 28.50
    # X: 1 confirmed share × 100 / 1000 × 10 + 1 click × 1 = 1 + 1 = 2.00
    assert report.total.value_rounded == Decimal("30.50")
    assert report.total.shares == 2 and report.total.impressions == 500
    assert report.total.clicks == 4
    assert [(r.label, r.value_rounded) for r in report.by_network] == [
        ("LinkedIn", Decimal("28.50")), ("X", Decimal("2.00"))]
    assert report.by_item[0].value_rounded == Decimal("30.50")
    assert report.by_campaign[0].label == "#lab"
    assert report.by_department[0].label == "Engineering"


def test_emv_page_shows_the_formula_and_exports_csv(client_for, comms, shared):
    _rates(comms)
    page = client_for(comms).get(reverse("advocacy:emv")).content.decode()
    assert "EMV = Σ per network" in page and "EUR 30.50" in page
    detail = client_for(comms).get(reverse("advocacy:content-detail", args=[shared.pk]))
    assert 'data-testid="item-emv"' in detail.content.decode()
    assert "EUR 30.50" in detail.content.decode()
    response = client_for(comms).get(reverse("advocacy:emv-csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][-1] == "emv_eur"
    assert rows[1][2:] == ["total", "Total", "2", "500", "4", "30.50"]
    assert ["linkedin", "30.00", "5.50", "400"] in rows


def test_bad_rates_name_the_field_and_change_nothing(client_for, comms):
    with pytest.raises(InvalidInput) as exc:
        _rates(comms, x={"cpm": "-1", "cpc": "1", "reach": "1"})
    assert exc.value.field == "x_cpm"
    form = {"currency": "EUR"}
    for network in ("x", "bluesky", "mastodon", "linkedin", "facebook"):
        form.update({f"{network}_cpm": "5", f"{network}_cpc": "1", f"{network}_reach": "10"})
    page = client_for(comms).post(reverse("advocacy:emv"), {**form, "linkedin_cpm": "abc"})
    assert page.status_code == 422
    assert "LinkedIn CPM: enter an amount such as 6.50." in page.content.decode()
    assert 'value="abc"' in page.content.decode()  # what was typed is kept
    bad_currency = client_for(comms).post(reverse("advocacy:emv"), {**form, "currency": "BTC"})
    assert bad_currency.status_code == 422
    assert not EmvSettings.objects.filter(rates__has_key="linkedin").exists()


def test_emv_is_for_comms_and_per_organization(client_for, employee, outsider, comms, shared):
    with pytest.raises(PermissionDenied):
        emv_settings_update(actor=employee, currency="EUR", rates={})
    assert client_for(employee).get(reverse("advocacy:emv")).status_code == 403
    page = client_for(outsider).get(reverse("advocacy:emv")).content.decode()
    assert "EUR 0.00" in page and shared.title not in page
    assert client_for(outsider).get(
        reverse("advocacy:content-detail", args=[shared.pk])).status_code == 404
