"""Share counts that mean something: an intent is not a share; a share counts once per
(item, network, person) and only once confirmed (said posted, or seen on a linked account);
the Mastodon server comes from the linked account; hub cards show previews, an "already
shared" badge, search and topic filters."""

from __future__ import annotations

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest

from chorus.advocacy import analytics, previews
from chorus.advocacy.models import ContentItem, Share
from chorus.advocacy.services import (
    settings_update,
    share_confirm,
    share_create,
    shares_confirm_seen,
    short_link,
)
from chorus.advocacy.services.previews import item_preview_refresh
from chorus.advocacy.tests.conftest import make_item
from chorus.common.errors import InvalidInput, NotFound

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def fake_mastodon(org, admin):
    """Monitoring switched on with an in-memory Mastodon, to link the employee's account."""
    from chorus.connectors.base import override_connector
    from chorus.connectors.fake.adapter import FakeConnector
    from chorus.monitoring.services import settings_update as monitoring_settings

    monitoring_settings(organization=org, actor=admin, enabled_networks=["mastodon"],
                        alert_threshold="medium", retention_days=30, escalate_after=3)
    fake = FakeConnector()
    with override_connector("mastodon", fake):
        yield fake


def _enable_leaderboard(org, admin):
    settings_update(actor=admin, leaderboard_enabled=True,
                    daily_share_limit=10, sharing_hours={}, disabled_networks=[],
                    duplicate_nudge_threshold=3)


def test_pressing_share_four_times_for_four_networks_gives_no_points(
    org, admin, employee, approved_item
):
    _enable_leaderboard(org, admin)
    for network in ("bluesky", "x", "linkedin", "facebook"):
        share_create(user=employee, item=approved_item, network=network, text="Proud of this")

    period = analytics.period_ending_today(30)
    assert analytics.points_for(user=employee, period=period) == 0
    assert analytics.leaderboard_for(organization=org, period=period) == []
    data = analytics.analytics_for(organization=org, period=period)
    assert (data.shares, data.intents) == (0, 4)


def test_pressing_share_again_reuses_the_share_and_its_link(employee, approved_item):
    first = share_create(user=employee, item=approved_item, network="x", text="Proud of this")
    again = share_create(user=employee, item=approved_item, network="x", text="So proud")

    assert again.pk == first.pk and again.code == first.code
    assert again.text.startswith("So proud")
    assert Share.objects.filter(user=employee).count() == 1


def test_reopening_a_share_does_not_use_up_the_daily_limit(org, admin, employee,
                                                          approved_item):
    settings_update(actor=admin, leaderboard_enabled=False,
                    daily_share_limit=1, sharing_hours={}, disabled_networks=[],
                    duplicate_nudge_threshold=3)
    share_create(user=employee, item=approved_item, network="x", text="Proud")
    again = share_create(user=employee, item=approved_item, network="x", text="Proud again")
    assert again.text.startswith("Proud again")


def test_a_confirmed_share_counts_once_with_its_points(org, admin, employee, approved_item):
    _enable_leaderboard(org, admin)
    share = share_create(user=employee, item=approved_item, network="x", text="Proud of this")
    share_confirm(user=employee, share=share, post_url="https://x.com/emery/status/1")
    share_confirm(user=employee, share=share)  # twice: nothing changes
    share_create(user=employee, item=approved_item, network="x", text="Again")  # after posting

    period = analytics.period_ending_today(30)
    assert analytics.points_for(user=employee, period=period) == analytics.POINTS_PER_SHARE
    [row] = analytics.leaderboard_for(organization=org, period=period)
    assert row.shares == 1
    share.refresh_from_db()
    assert share.confirmed_via == Share.Confirmation.SAID
    assert share.post_url == "https://x.com/emery/status/1"
    assert share.text.startswith("Proud of this")  # what was posted is not rewritten


def test_only_the_sharer_confirms_and_the_post_address_must_be_a_link(
    employee, employee2, approved_item
):
    share = share_create(user=employee, item=approved_item, network="x", text="Proud")
    with pytest.raises(NotFound):
        share_confirm(user=employee2, share=share)
    with pytest.raises(InvalidInput) as exc:
        share_confirm(user=employee, share=share, post_url="javascript:alert(1)")
    assert exc.value.field == "post_url"


def test_the_i_posted_it_button_confirms(employee, approved_item, client_for):
    share = share_create(user=employee, item=approved_item, network="x", text="Proud")
    client = client_for(employee)
    page = client.get(f"/advocacy/shares/{share.pk}/").content.decode()
    assert "Did you post it?" in page and "I posted it" in page

    page = client.post(f"/advocacy/shares/{share.pk}/confirm/", follow=True).content.decode()
    assert "your post is counted" in page and 'data-testid="share-confirmed"' in page


def test_another_persons_or_organizations_share_cannot_be_confirmed(
    employee, employee2, outsider, approved_item, client_for
):
    share = share_create(user=employee, item=approved_item, network="x", text="Proud")
    for other in (employee2, outsider):
        assert client_for(other).post(f"/advocacy/shares/{share.pk}/confirm/").status_code == 404
    share.refresh_from_db()
    assert share.confirmed_at is None


def test_a_post_seen_on_a_linked_account_confirms_the_share(employee, employee2, approved_item):
    share = share_create(user=employee, item=approved_item, network="mastodon",
                         text="Proud", mastodon_instance="mastodon.social")
    text = f"Proud of the lab {short_link(share.code)}"

    assert shares_confirm_seen(user=employee2, network="mastodon", text=text) == []
    assert shares_confirm_seen(user=employee, network="bluesky", text=text) == []
    [seen] = shares_confirm_seen(user=employee, network="mastodon", text=text,
                                 url="https://mastodon.social/@emery/1")

    assert seen.pk == share.pk and seen.confirmed_via == Share.Confirmation.SEEN


def test_monitoring_confirms_a_share_when_it_reads_the_post(
    employee, approved_item, fake_mastodon
):
    from chorus.monitoring.services import account_poll
    from chorus.monitoring.tests.conftest import link_fake

    account, profile = link_fake(employee, fake_mastodon)
    share = share_create(user=employee, item=approved_item, network="mastodon",
                         text="Proud", mastodon_instance="fake.example")
    fake_mastodon.publish(profile.external_id, f"{share.text} {short_link(share.code)}",
                     at=account.read_from + timedelta(seconds=1))

    account_poll(account_id=account.pk)

    share.refresh_from_db()
    assert share.confirmed_via == Share.Confirmation.SEEN


def test_mastodon_share_prefills_the_server_of_the_linked_account(
    employee, approved_item, fake_mastodon, client_for
):
    from chorus.monitoring.tests.conftest import link_fake

    link_fake(employee, fake_mastodon, handle="@emery@mastodon.example")
    page = client_for(employee).get(
        f"/advocacy/content/{approved_item.pk}/share/?network=mastodon").content.decode()
    assert 'value="mastodon.example"' in page

    share = share_create(user=employee, item=approved_item, network="mastodon", text="Proud")
    assert share.intent_url.startswith("https://mastodon.example/share?")


def test_the_bluesky_counter_says_characters(employee, approved_item, client_for):
    page = client_for(employee).get(
        f"/advocacy/content/{approved_item.pk}/share/?network=bluesky").content.decode()
    assert "characters with the link" in page and "graphemes" not in page


# ---------------------------------------------------------------- hub cards


def test_hub_cards_show_an_already_shared_badge_and_filter_by_search_and_topic(
    comms, admin, employee, client_for
):
    lab = make_item(author=comms, approver=admin, title="We opened a new lab", tags=["robots"])
    hiring = make_item(author=comms, approver=admin, title="We are hiring in Lisbon",
                       link="https://northwind.example/jobs", tags=["jobs"])
    share_confirm(user=employee, share=share_create(user=employee, item=lab, network="x",
                                                    text="Proud"))
    share_create(user=employee, item=hiring, network="x", text="Join us")
    client = client_for(employee)

    page = client.get("/advocacy/").content.decode()
    assert page.count('data-testid="shared-badge"') == 1
    assert "Opened, not posted" in page
    assert '<option value="jobs">#jobs</option>' in page

    page = client.get("/advocacy/?q=hiring").content.decode()
    assert "We are hiring in Lisbon" in page and "We opened a new lab" not in page
    page = client.get("/advocacy/?topic=robots").content.decode()
    assert "We opened a new lab" in page and "We are hiring in Lisbon" not in page
    page = client.get("/advocacy/?q=nothing-like-this").content.decode()
    assert "Nothing matches" in page


def test_a_preview_is_fetched_in_the_background_and_cached_on_the_item(
    approved_item, employee, client_for, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    page = previews.Fetched(
        url="https://northwind.example/news/lab", content_type="text/html; charset=utf-8",
        body=b'<html><head><title>x</title><meta property="og:title" content="Our new lab">'
             b'<meta property="og:image" content="/img/lab.png"></head></html>')
    image = previews.Fetched(url="https://northwind.example/img/lab.png",
                             content_type="image/png", body=PNG)
    with mock.patch.object(previews, "fetch", side_effect=[page, image]) as fetched:
        item = item_preview_refresh(item_id=approved_item.pk)

    assert fetched.call_args_list[1].args == ("https://northwind.example/img/lab.png",)
    assert (item.preview_title, item.preview_image_mime, item.preview_error) == (
        "Our new lab", "image/png", "")
    feed = client_for(employee).get("/advocacy/").content.decode()
    assert "Our new lab" in feed and 'data-testid="preview-image"' in feed
    response = client_for(employee).get(f"/advocacy/content/{item.pk}/preview.img")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_a_preview_image_that_is_not_an_image_is_refused(approved_item, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page = previews.Fetched(url="https://northwind.example/", content_type="text/html",
                            body=b'<meta property="og:image" content="https://e.example/a.png">')
    fake = previews.Fetched(url="https://e.example/a.png", content_type="image/png",
                            body=b"<script>alert(1)</script>")
    with mock.patch.object(previews, "fetch", side_effect=[page, fake]):
        item = item_preview_refresh(item_id=approved_item.pk)
    assert not item.preview_image and "not a PNG" in item.preview_error


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://localhost:8000/", "http://10.0.0.5/", "http://169.254.169.254/",
    "http://[::1]/", "file:///etc/passwd", "ftp://example.com/",
])
def test_previews_are_never_fetched_from_private_addresses(url):
    # The shared guarded client refuses before any socket is opened.
    with mock.patch("urllib3.util.connection.create_connection") as connect, \
            pytest.raises(previews.PreviewError) as exc:
        previews.fetch(url, max_bytes=1000)
    connect.assert_not_called()
    assert str(exc.value)  # a plain reason, recorded on the item


@pytest.fixture
def page_server():
    """A local site: /old redirects to /news, /news is a page with Open Graph tags."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/old":
                self.send_response(302)
                self.send_header("Location", "/news")
                self.end_headers()
                return
            if self.path != "/news":
                self.send_error(404)
                return
            body = b'<html><head><meta property="og:title" content="Local lab"></head></html>'
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_preview_is_read_through_the_guarded_client_following_redirects(
    page_server, outbound_to_loopback
):
    fetched = previews.fetch(f"{page_server}/old", max_bytes=10_000)
    assert fetched.url == f"{page_server}/news" and fetched.content_type == "text/html"
    assert previews.parse_preview(fetched.body.decode(), base_url=fetched.url)[0] == "Local lab"
    with pytest.raises(previews.PreviewError, match="too large"):
        previews.fetch(f"{page_server}/news", max_bytes=10)
    with pytest.raises(previews.PreviewError, match="answered HTTP 404"):
        previews.fetch(f"{page_server}/gone", max_bytes=10_000)


def test_a_local_server_is_refused_without_the_opt_in(page_server):
    with pytest.raises(previews.PreviewError, match="could not be reached"):
        previews.fetch(f"{page_server}/news", max_bytes=10_000)


def test_a_failed_fetch_keeps_the_item_and_says_why(approved_item):
    with mock.patch.object(previews, "fetch",
                           side_effect=previews.PreviewError("northwind.example did not answer.")):
        item = item_preview_refresh(item_id=approved_item.pk)
    assert item.preview_error == "northwind.example did not answer."
    assert ContentItem.objects.get(pk=item.pk).status == ContentItem.Status.APPROVED


def test_another_organizations_preview_image_is_a_404(approved_item, outsider, client_for):
    assert client_for(outsider).get(
        f"/advocacy/content/{approved_item.pk}/preview.img").status_code == 404


def test_erasure_removes_the_link_to_the_persons_own_post(approved_item, employee):
    from chorus.advocacy.privacy import erase_person_data

    share = share_create(user=employee, item=approved_item, network="x", text="Our lab!")
    share_confirm(user=employee, share=share, post_url="https://x.com/emery/status/1")
    erase_person_data(employee.person)
    share.refresh_from_db()
    assert (share.text, share.post_url) == ("", "")
    assert share.confirmed_at is not None  # the record still counts, without personal data
