from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from chorus.advocacy.models import Click, ClickSalt
from chorus.advocacy.services import share_create
from chorus.advocacy.tracking import is_bot, salts_purge

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126 Safari/537.36"


@pytest.fixture
def share(employee, approved_item):
    return share_create(user=employee, item=approved_item, network="bluesky", text="Look")


def test_the_short_link_redirects_with_utm_and_keeps_existing_parameters(client, share):
    response = client.get(f"/l/{share.code}", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 302
    assert response["Location"] == (
        "https://northwind.example/news/lab?ref=home&utm_source=bluesky"
        "&utm_medium=employee_advocacy&utm_campaign=we-opened-a-new-lab"
    )
    assert response["Cache-Control"] == "private, no-store"
    assert reverse("advocacy-link", args=[share.code]) == f"/l/{share.code}"


def test_a_click_stores_no_ip_and_counts_unique_visitors_per_day(client, share):
    for ip in ("203.0.113.7", "203.0.113.7", "198.51.100.2"):
        client.get(f"/l/{share.code}", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=ip)
    clicks = list(Click.objects.filter(share=share))
    assert len(clicks) == 2  # the reload within half an hour is not a second click
    assert len({c.visitor for c in clicks}) == 2
    stored = " ".join(str(getattr(c, f.attname)) for c in clicks for f in Click._meta.fields)
    assert "203.0.113.7" not in stored and "Chrome" not in stored


@pytest.mark.parametrize("agent", [
    "", "Twitterbot/1.0", "facebookexternalhit/1.1", "Mastodon/4.3.0 (http.rb/5.2; +https://m.s/)",
    "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)", "curl/8.5.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0)", "Slackbot-LinkExpanding 1.0",
])
def test_bots_and_link_previews_are_redirected_but_not_counted(client, share, agent):
    assert is_bot(agent)
    response = client.get(f"/l/{share.code}", HTTP_USER_AGENT=agent)
    assert response.status_code == 302
    assert not Click.objects.exists()


def test_real_browsers_are_not_bots():
    assert not is_bot(BROWSER)
    assert not is_bot("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1")


def test_unknown_codes_get_a_helpful_404(client, db):
    response = client.get("/l/doesnotexist")
    assert response.status_code == 404
    assert "This link does not exist" in response.content.decode()
    assert client.get("/l/bad-code!").status_code == 404


def test_the_redirect_costs_one_lookup_and_one_insert(client, share,
                                                      django_assert_num_queries):
    client.get(f"/l/{share.code}", HTTP_USER_AGENT=BROWSER)  # today's salt is now cached
    with django_assert_num_queries(2):
        client.get(f"/l/{share.code}", HTTP_USER_AGENT=BROWSER)
    with django_assert_num_queries(1):
        client.get(f"/l/{share.code}", HTTP_USER_AGENT="Googlebot/2.1")


def test_old_salts_are_forgotten(db):
    today = datetime.date(2026, 3, 10)
    ClickSalt.objects.create(day=today - datetime.timedelta(days=1), salt="old")
    ClickSalt.objects.create(day=today, salt="new")
    assert salts_purge(today=today) == 1
    assert list(ClickSalt.objects.values_list("salt", flat=True)) == ["new"]


# ---------------------------------------------------------------- inflation (issue 11, item 18)

ROTATING_AGENTS = [f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/{v}.0 Safari/537.36"
                   for v in range(100, 140)]  # fmt: skip


def test_rotating_the_user_agent_from_one_client_counts_one_visitor_and_one_click(client, share):
    for agent in ROTATING_AGENTS:
        assert client.get(f"/l/{share.code}", HTTP_USER_AGENT=agent,
                          REMOTE_ADDR="203.0.113.7").status_code == 302
    assert Click.objects.filter(share=share).count() == 1
    assert Click.objects.values("visitor").distinct().count() == 1


def test_the_next_addresses_of_the_same_network_are_the_same_visitor(client, share):
    for ip in ("203.0.113.7", "203.0.113.8", "203.0.113.200", "2001:db8:1:1::1",
               "2001:db8:1:2::99"):
        client.get(f"/l/{share.code}", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=ip)
    assert Click.objects.values("visitor").distinct().count() == 2


def test_a_spoofed_forwarded_for_does_not_mint_visitors_behind_the_proxy(client, share,
                                                                          settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(20):  # the client forges the first entry; the proxy appends the real one
        client.get(f"/l/{share.code}", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="10.0.0.2",
                   HTTP_X_FORWARDED_FOR=f"198.51.{i}.1, 203.0.113.7")
    assert Click.objects.filter(share=share).count() == 1


def test_a_visitor_counts_again_after_the_window(client, share):
    from chorus.advocacy import tracking

    client.get(f"/l/{share.code}", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.7")
    Click.objects.update(created_at=Click.objects.get().created_at - tracking.CLICK_WINDOW
                         - datetime.timedelta(seconds=1))  # fmt: skip
    client.get(f"/l/{share.code}", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.7")
    assert Click.objects.count() == 2 and Click.objects.values("visitor").distinct().count() == 1


@pytest.mark.parametrize("header", ["HTTP_SEC_PURPOSE", "HTTP_PURPOSE"])
def test_browser_prefetches_are_not_clicks(client, share, header):
    client.get(f"/l/{share.code}", HTTP_USER_AGENT=BROWSER, **{header: "prefetch"})
    assert not Click.objects.exists()
