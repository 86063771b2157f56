"""Advocacy journey: communications writes an item, a second person approves it, an employee
shares it to Mastodon, a visitor follows the tracked link and the click shows in analytics."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from e2e.conftest import login, shot

pytestmark = pytest.mark.e2e

BROWSER_UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/126.0 Safari/537.36")


def test_content_is_written_approved_shared_and_clicked(demo, new_page, browser, live_server):
    from chorus.advocacy.screening import disclosure_rule

    hashtag = disclosure_rule(organization=demo).hashtag

    # Communications writes the item and sends it for review.
    comms = new_page()
    login(comms, "comms@northwind.example")
    comms.goto("/advocacy/hub/")
    shot(comms, "advocacy-01-hub")
    comms.get_by_role("link", name="New content").click()
    comms.get_by_label("Title").fill("Tern wins the 2026 logistics award")
    comms.get_by_label("What it is").fill("Our Tern drone won the European logistics award.")
    comms.get_by_label("Link to share").fill("https://northwind.example/news/tern-award?lang=en")
    comms.get_by_label("Tags").fill("award, tern")
    comms.get_by_label("Mastodon captions").fill(
        "Tern just won the European logistics award!\n---\n"
        "So proud: Tern won this year's logistics award.")
    comms.get_by_label("X captions").fill("Tern won the European logistics award.")
    shot(comms, "advocacy-02-new-content")
    comms.get_by_role("button", name="Save draft").click()
    comms.get_by_role("button", name="Send for review").click()
    comms.get_by_text("Waiting for another person in communications").wait_for()
    shot(comms, "advocacy-03-in-review")
    item_url = comms.url

    # Someone else approves it.
    admin = new_page()
    login(admin, "admin@northwind.example")
    admin.goto(item_url)
    admin.get_by_role("button", name="Approve").click()
    admin.get_by_text("is now approved").wait_for()
    shot(admin, "advocacy-04-approved")

    # An employee shares it to Mastodon, on their own instance.
    employee = new_page()
    login(employee, "employee@northwind.example")
    employee.get_by_role("link", name="Share", exact=True).click()
    employee.get_by_role("heading", name="Tern wins the 2026 logistics award").wait_for()
    shot(employee, "advocacy-05-feed")
    employee.get_by_role("link", name=re.compile(r"Share this.*Tern wins")).click()
    employee.get_by_role("link", name=re.compile(r"^Mastodon")).click()
    employee.get_by_role("link", name="Version 2").click()
    text = "So proud: Tern won this year's logistics award. I worked on its navigation!"
    box = employee.get_by_label("Your post")
    box.fill("")
    box.press_sequentially(text[:40])
    box.fill(text)
    employee.locator("#share-check").get_by_text("I worked on its navigation").wait_for()
    employee.get_by_label("Your Mastodon server").fill("https://Fosstodon.org/")
    shot(employee, "advocacy-06-share")
    employee.get_by_role("button", name="Share to Mastodon").click()
    employee.get_by_role("heading", name="Your post is ready").wait_for()
    short = employee.get_by_label("Your tracked link").input_value()
    intent = employee.get_by_test_id("intent-link").get_attribute("href")
    final_text = f"{text} {hashtag}"
    assert intent == "https://fosstodon.org/share?text=" + quote(f"{final_text} {short}", safe="")
    shot(employee, "advocacy-07-ready")
    # Opening the composer is not posting: the share counts once the employee confirms.
    employee.get_by_role("button", name="I posted it").click()
    employee.get_by_test_id("share-confirmed").wait_for()

    # A visitor follows the tracked link: a 302 to the page with UTM parameters. (The target
    # is outside the test machine, so the redirect is read rather than followed.)
    visitor_context = browser.new_context(user_agent=BROWSER_UA)
    code = short.rsplit("/", 1)[1]
    response = visitor_context.request.get(f"{live_server.url}/l/{code}", max_redirects=0,
                                           headers={"User-Agent": BROWSER_UA})
    assert response.status == 302
    assert response.headers["location"] == (
        "https://northwind.example/news/tern-award?lang=en"
        "&utm_source=mastodon&utm_medium=employee_advocacy"
        "&utm_campaign=tern-wins-the-2026-logistics-award")
    visitor_context.close()

    # The click shows on the analytics page.
    comms.goto("/advocacy/hub/analytics/?days=7")
    row = comms.get_by_test_id("by-content").get_by_role(
        "row", name=re.compile("Tern wins the 2026 logistics award"))
    assert row.get_by_role("cell").nth(1).inner_text() == "1"
    assert row.get_by_role("cell").nth(2).inner_text() == "1"
    comms.wait_for_timeout(300)  # let Chart.js finish drawing before the screenshot
    shot(comms, "advocacy-08-analytics")
    comms.goto("/advocacy/hub/health/")
    comms.wait_for_timeout(300)
    shot(comms, "advocacy-09-health")

    # The share page on a phone.
    phone = new_page(viewport={"width": 390, "height": 844})
    login(phone, "employee@northwind.example")
    phone.goto("/advocacy/")
    shot(phone, "advocacy-10-feed-phone")
