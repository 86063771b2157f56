"""Monitoring journey: an employee reads their coaching note, links an X archive with explicit
consent, uploads it, then withdraws consent; HR sees account health without post content."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e.conftest import login, shot

pytestmark = pytest.mark.e2e

TWEETS = Path(__file__).resolve().parents[1] / "chorus/connectors/x_archive/fixtures/tweets.js"


def test_consent_upload_coaching_and_revoke(demo, new_page):
    page = new_page()
    login(page, "employee@northwind.example")
    page.get_by_role("link", name="Linked accounts").first.click()
    page.get_by_role("heading", name="Linked accounts").wait_for()
    page.get_by_text("@emery@mastodon.example").wait_for()
    shot(page, "monitoring-01-linked-accounts")

    page.get_by_role("link", name="My alerts").first.click()
    page.get_by_text("Suggestion:").first.wait_for()
    shot(page, "monitoring-02-my-alerts")
    page.get_by_role("button", name="Mark as read").first.click()
    page.get_by_text("marked as read").wait_for()

    page.goto("/monitoring/")
    page.get_by_role("link", name="X (Twitter) archive upload").click()
    page.get_by_role("heading", name="What you agree to").wait_for()
    page.get_by_text("For employees in the EU").wait_for()  # the demo org is in the EU
    page.get_by_label("Account").fill("@emery")
    page.get_by_label("Read posts published since").fill("2026-05-01")
    page.get_by_role("button", name="Link and give consent").click()
    page.get_by_text("Tick the box to give your consent").wait_for()
    shot(page, "monitoring-03-consent-required")
    page.get_by_label("I have read the text above and I consent to it.").check()
    page.get_by_role("button", name="Link and give consent").click()
    page.get_by_text("is linked").wait_for()

    page.get_by_label("Export file").set_input_files(str(TWEETS))
    page.get_by_role("button", name="Import").click()
    page.get_by_text("2 new posts imported").wait_for()
    page.get_by_text("Excited to share our new launch!").wait_for()
    shot(page, "monitoring-04-imported")

    page.get_by_role("link", name="Withdraw consent").click()
    page.get_by_role("button", name="Withdraw consent").click()
    page.get_by_text("Consent withdrawn for @emery").wait_for()
    shot(page, "monitoring-05-withdrawn")

    phone = new_page(viewport={"width": 390, "height": 844})
    login(phone, "employee@northwind.example")
    phone.goto("/monitoring/")
    shot(phone, "monitoring-06-phone")

    hr = new_page()
    login(hr, "hr@northwind.example")
    hr.goto("/monitoring/overview/")
    hr.get_by_role("heading", name="Account health").wait_for()
    assert "Initech" not in hr.content() and "Excited to share" not in hr.content()
    shot(hr, "monitoring-07-health")


def test_admin_sees_the_eu_requirements_in_settings(demo, new_page):
    page = new_page()
    login(page, "admin@northwind.example")
    page.goto("/monitoring/settings/")
    page.get_by_text("Your organization operates in the EU.").wait_for()
    page.get_by_label("Keep posts for (days)").fill("45")
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("Monitoring settings saved.").wait_for()
    shot(page, "monitoring-08-settings")
