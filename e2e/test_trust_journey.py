"""Trust journeys (issue 17), at phone width: proving an account is yours before anything is
read, a consent sentence that reads well while typing, plain connector errors, shares that
count only once posted, the attestation moment, and a campaign's honest numbers."""

from __future__ import annotations

import re

import pytest

from e2e.conftest import SCREENSHOTS, login, shot

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


def _no_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at 390px"


def test_linking_an_account_proves_ownership_first(demo, new_page):
    from chorus.connectors.base import override_connector
    from chorus.connectors.fake.adapter import FakeConnector
    from chorus.monitoring.models import LinkedAccount

    page = new_page(PHONE)
    login(page, "employee2@northwind.example")
    page.goto("/monitoring/link/mastodon/")
    sentence = page.locator("[data-consent-account]")
    assert sentence.inner_text() == "the Mastodon account I enter above"
    assert "(the account you enter)" not in page.content()
    page.get_by_label("Account").fill("@sam@fake.example")
    assert sentence.inner_text() == "my Mastodon account @sam@fake.example"
    _no_overflow(page)
    shot(page, "trust-01-consent-live-390")

    fake = FakeConnector()
    fake.add_account("@sam@fake.example")
    with override_connector("mastodon", fake):
        page.get_by_label("I have read the text above and I consent to it.").check()
        page.get_by_role("button", name="Link and give consent").click()
        page.get_by_role("heading", name="Prove that this account is yours").wait_for()
        account = LinkedAccount.objects.get(handle="@sam@fake.example")
        assert account.verified_at is None
        page.get_by_text(account.verification_code).first.wait_for()
        _no_overflow(page)
        shot(page, "trust-02-prove-ownership-390")
        page.get_by_role("button", name="Check now").click()
        page.get_by_text("We did not find the code").wait_for()
        fake.set_bio("@sam@fake.example", f"Sales at Northwind {account.verification_code}")
        page.get_by_role("button", name="Check again").click()
        page.get_by_text("is proven to be yours").wait_for()
    shot(page, "trust-03-proven-390")


def test_an_unreachable_server_gets_a_plain_message(demo, new_page):
    page = new_page(PHONE)
    login(page, "employee2@northwind.example")
    page.goto("/monitoring/link/mastodon/")
    page.get_by_label("Account").fill("@sam@127.0.0.1:9")
    page.get_by_label("I have read the text above and I consent to it.").check()
    page.get_by_role("button", name="Link and give consent").click()
    page.get_by_text("We could not reach this Mastodon server").wait_for(timeout=60_000)
    body = page.content()
    assert "Nothing was saved" in body
    assert "retry" not in body and "Max retries" not in body and "Connection" not in body
    # The tick and the handle survive the failed submit.
    assert page.get_by_label("I have read the text above and I consent to it.").is_checked()
    _no_overflow(page)
    shot(page, "trust-04-unreachable-390")


def test_a_share_counts_once_posted_and_the_hub_shows_it(demo, new_page):
    page = new_page(PHONE)
    login(page, "employee@northwind.example")
    page.goto("/advocacy/")
    page.get_by_label("Search").wait_for()
    _no_overflow(page)
    shot(page, "trust-05-hub-390")
    page.get_by_role("link", name=re.compile("^Share this")).first.click()
    page.get_by_role("link", name=re.compile("Mastodon")).first.click()
    assert page.get_by_label("Your Mastodon server").input_value() == "mastodon.example"
    page.get_by_text("characters with the link").wait_for()
    assert "graphemes" not in page.content()
    page.get_by_role("button", name="Share to Mastodon").click()
    page.get_by_role("heading", name="Your post is ready").wait_for()
    page.get_by_role("heading", name="Did you post it?").wait_for()
    _no_overflow(page)
    shot(page, "trust-06-did-you-post-390")
    page.get_by_role("button", name="I posted it").click()
    page.get_by_test_id("share-confirmed").wait_for()
    page.goto("/advocacy/")
    page.get_by_test_id("shared-badge").first.wait_for()
    shot(page, "trust-07-hub-shared-390")


def test_the_attestation_moment(demo, new_page):
    from playwright.sync_api import expect

    from chorus.onboarding.models import Assignment

    assignment = Assignment.objects.filter(person__email__startswith="employee2@",
                                           status="pending").first()
    page = new_page(PHONE)
    login(page, "employee2@northwind.example")
    page.goto(f"/onboarding/me/{assignment.pk}/")
    page.locator("article.document ol.policy-rules").wait_for()
    button = page.get_by_role("button", name="Record my acknowledgment")
    assert button.is_disabled()
    assert not page.get_by_label("I read the whole policy, to the end.").is_visible()
    shot(page, "trust-08-attest-locked-390")
    page.locator("[data-read-end]").scroll_into_view_if_needed()
    expect(button).to_be_enabled()
    assignment.refresh_from_db()
    assert assignment.read_to_end_at is not None

    page.get_by_label("I confirm the statement above.").check()
    page.get_by_role("button", name="Record my acknowledgment").click()
    page.get_by_text(re.compile(r"Answer all \d questions")).first.wait_for()
    assert page.get_by_label("I confirm the statement above.").is_checked()
    focused = page.evaluate("document.activeElement.name || ''")
    assert focused.startswith("q-")
    assert page.get_by_text("Not quite.").count() == 0
    _no_overflow(page)
    shot(page, "trust-09-attest-answer-all-390")
    page.locator("form.quiz").screenshot(path=str(SCREENSHOTS / "trust-09b-quiz-390.png"))


def test_a_campaign_keeps_its_numbers_and_reminds_all_pending(demo, new_page):
    from chorus.onboarding.models import Campaign

    campaign = Campaign.objects.filter(audience="everyone").order_by("pk").first()
    page = new_page(PHONE)
    login(page, "hr@northwind.example")
    page.goto(f"/onboarding/campaigns/{campaign.pk}/")
    page.get_by_text(f"Launched with {campaign.version}").wait_for()
    page.get_by_label("Status").select_option("pending")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r".*status=pending.*"))
    _no_overflow(page)
    shot(page, "trust-10-campaign-390")
    page.screenshot(path=str(SCREENSHOTS / "trust-10b-campaign-top-390.png"))
    page.get_by_test_id("remind-all").click()
    page.get_by_test_id("remind-preview").wait_for()
    _no_overflow(page)
    shot(page, "trust-11-remind-preview-390")
    page.get_by_role("button", name=re.compile(r"^Send \d+ reminder")).click()
    page.get_by_text(re.compile(r"Reminder sent to \d+")).wait_for()
