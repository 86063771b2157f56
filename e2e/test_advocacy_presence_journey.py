"""Presence and reach journey (issue 19): communications adds a feed (served by a local HTTP
server), its new entry arrives as a draft, is targeted to one department and approved; an
employee in that department shares it (a colleague elsewhere does not see it), a visitor
clicks, and the item's page shows clicks and earned media value. Official accounts and the
profile kit are seen by the employee; screenshots at 1280 and 390 px."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from e2e.conftest import login, shot

pytestmark = pytest.mark.e2e
BROWSER_UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/126.0 Safari/537.36")
FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Northwind newsroom</title>
<link>https://northwind.example/news</link>
<item><guid>news-42</guid><title>Field robots reach the Arctic</title>
<link>https://northwind.example/news/arctic?utm_source=rss</link>
<description>&lt;p&gt;Our field robots completed their first Arctic survey.&lt;/p&gt;</description>
<pubDate>Wed, 02 Dec 2026 09:00:00 +0000</pubDate></item></channel></rss>"""


@pytest.fixture
def feed_server(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(FEED)))
            self.end_headers()
            self.wfile.write(FEED)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    server.shutdown()
    server.server_close()


def _no_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"horizontal overflow at 390 px: {width}"


def test_feed_to_draft_to_targeted_share_with_emv(demo, new_page, browser, live_server,
                                                  feed_server):
    comms = new_page()
    login(comms, "comms@northwind.example")
    # Official accounts.
    comms.goto("/advocacy/hub/presence/")
    comms.get_by_label("Network").select_option("mastodon")
    comms.get_by_label("Handle").fill("@northwind@social.example")
    comms.get_by_label("Profile address").fill("https://social.example/@northwind")
    comms.get_by_role("button", name="Save account").click()
    comms.get_by_text("Official account saved.").wait_for()
    shot(comms, "presence-01-manage")

    # A feed: its entry arrives as a draft.
    comms.goto("/advocacy/hub/sources/")
    comms.get_by_label("Name").fill("Newsroom")
    comms.get_by_label("Feed address").fill(feed_server)
    comms.get_by_role("button", name="Add source").click()
    comms.get_by_text("Source added.").wait_for()
    comms.reload()
    comms.get_by_text("1 new draft").wait_for()
    shot(comms, "presence-02-sources")
    comms.goto("/advocacy/hub/")
    comms.get_by_role("link", name="Field robots reach the Arctic").first.click()
    comms.get_by_role("link", name="Edit").click()
    comms.get_by_role("checkbox", name="Engineering").check()
    comms.get_by_role("button", name="Save draft").click()
    comms.get_by_role("button", name="Send for review").click()
    comms.get_by_text("Waiting for another person in communications").wait_for()
    item_url = comms.url

    admin = new_page()
    login(admin, "admin@northwind.example")
    admin.goto(item_url)
    admin.get_by_role("button", name="Approve").click()
    admin.get_by_text("is now approved").wait_for()

    # Sales does not see it; Engineering does, and shares it.
    sales = new_page()
    login(sales, "employee2@northwind.example")
    sales.goto("/advocacy/")
    assert sales.get_by_role("heading", name="Field robots reach the Arctic").count() == 0

    employee = new_page()
    login(employee, "employee@northwind.example")
    employee.goto("/advocacy/")
    employee.get_by_role("heading", name="Field robots reach the Arctic").wait_for()
    employee.get_by_test_id("follow-us").wait_for()
    shot(employee, "presence-03-feed")
    employee.get_by_role("link", name=re.compile(r"Share this.*Arctic")).click()
    employee.get_by_role("link", name=re.compile(r"^LinkedIn")).click()
    employee.get_by_role("button", name="Share to LinkedIn").click()
    employee.get_by_role("heading", name="Your post is ready").wait_for()
    short = employee.get_by_label("Your tracked link").input_value()
    employee.get_by_role("button", name="I posted it").click()
    employee.get_by_test_id("share-confirmed").wait_for()
    employee.goto("/advocacy/presence/")
    employee.get_by_test_id("profile-kit").wait_for()
    shot(employee, "presence-04-presence")

    visitor = browser.new_context(user_agent=BROWSER_UA)
    code = short.rsplit("/", 1)[1]
    response = visitor.request.get(f"{live_server.url}/l/{code}", max_redirects=0,
                                   headers={"User-Agent": BROWSER_UA})
    assert response.status == 302
    visitor.close()

    comms.goto(item_url)
    emv = comms.get_by_test_id("item-emv")
    assert "1 posted share" in emv.inner_text() and "1 click" in emv.inner_text()
    assert re.search(r"EUR \d+\.\d\d", emv.inner_text())
    shot(comms, "presence-05-item-emv")
    comms.goto("/advocacy/hub/emv/")
    shot(comms, "presence-06-emv")
    comms.goto("/advocacy/hub/calendar/")
    shot(comms, "presence-07-calendar")

    phone = new_page(viewport={"width": 390, "height": 844})
    login(phone, "employee@northwind.example")
    for path, name in (("/advocacy/presence/", "presence-08-presence-phone"),
                       ("/advocacy/suggest/", "presence-09-suggest-phone")):
        phone.goto(path)
        _no_overflow(phone)
        shot(phone, name)
    phone_comms = new_page(viewport={"width": 390, "height": 844})
    login(phone_comms, "comms@northwind.example")
    for path, name in (("/advocacy/hub/sources/", "presence-10-sources-phone"),
                       ("/advocacy/hub/emv/", "presence-11-emv-phone"),
                       ("/advocacy/hub/calendar/", "presence-12-calendar-phone"),
                       ("/advocacy/hub/suggestions/", "presence-13-suggestions-phone")):
        phone_comms.goto(path)
        _no_overflow(phone_comms)
        shot(phone_comms, name)
