"""Content supply: feeds polled by the worker become drafts (deduplicated, with a clear status
for every failure), and links employees suggest are screened, moderated and credited.

Feeds are served by a real HTTP server on 127.0.0.1 that records what it was asked."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from chorus.advocacy.models import ContentItem, ContentSource, ContentSuggestion, SourceEntry
from chorus.advocacy.services import content_transition
from chorus.advocacy.services.sources import (
    source_create,
    source_poll,
    sources_due,
    suggestion_accept,
    suggestion_create,
)
from chorus.advocacy.sources import canonical_url, parse
from chorus.advocacy.tests.conftest import make_item
from chorus.common.errors import Conflict, InvalidInput
from chorus.notifications.models import Notification

pytestmark = pytest.mark.django_db
FEEDS = Path("/work/shared/data/connectors/feeds")


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def rss(items: list[tuple[str, str, str]], *, image: str = "") -> bytes:
    """An RSS 2.0 feed of (guid, title, link) items, newest first."""
    out = ['<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">'
           "<channel><title>Northwind newsroom</title><link>https://northwind.example/</link>"]
    for n, (guid, title, link) in enumerate(items):
        thumb = f'<media:thumbnail url="{image}"/>' if image else ""
        out.append(f"<item><guid>{guid}</guid><title>{title}</title><link>{link}</link>"
                   f"<description>&lt;p&gt;About {title}.&lt;/p&gt;</description>"
                   f"<pubDate>{len(items) - n:02d} Dec 2026 10:00:00 +0000</pubDate>{thumb}</item>")
    out.append("</channel></rss>")
    return "".join(out).encode()


class FeedServer:
    """`routes[path] = (status, headers, body)`; `requests` records (path, headers)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append((self.path, dict(self.headers)))
                status, headers, body = outer.routes.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def add(django_capture_on_commit_callbacks):
    """`add(comms, name, url)`: source_create, with its queued first poll run as it would
    after a real commit (the task backend is immediate in tests)."""

    def create(actor, name, url):
        with django_capture_on_commit_callbacks(execute=True):
            source = source_create(actor=actor, name=name, url=url)
        source.refresh_from_db()
        return source

    return create


@pytest.fixture
def feeds(outbound_to_loopback):
    server = FeedServer()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_comms_adds_a_feed_and_its_entries_become_drafts_once(client_for, comms, feeds,
                                                              django_capture_on_commit_callbacks):
    feeds.routes["/img.png"] = (200, {"Content-Type": "image/png"}, _png())
    feeds.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'},
                                 rss([("n2", "Lab opens", "https://northwind.example/lab"),
                                      ("n1", "New CEO", "https://northwind.example/ceo")],
                                     image=f"{feeds.url}/img.png"))
    with django_capture_on_commit_callbacks(execute=True):
        page = client_for(comms).post(reverse("advocacy:sources"),
                                      {"name": "Newsroom", "url": f"{feeds.url}/feed.xml"})
    assert page.status_code == 302
    source = ContentSource.objects.get()
    assert source.status == ContentSource.Status.OK, source.last_error
    drafts = list(ContentItem.objects.order_by("pk"))
    assert [d.title for d in drafts] == ["New CEO", "Lab opens"]  # oldest first
    assert all(d.status == ContentItem.Status.DRAFT and d.author == comms for d in drafts)
    assert drafts[0].body == "About New CEO." and drafts[0].link == "https://northwind.example/ceo"
    assert drafts[0].preview_image_mime == "image/png" and drafts[0].preview_image
    assert source.last_result.startswith("2 new drafts")

    # The next poll sends the validator back; 304 means nothing to do.
    feeds.routes["/feed.xml"] = (304, {}, b"")
    source_poll(source_id=source.pk, force=True)
    assert feeds.requests[-1][1].get("If-None-Match") == '"v1"'
    assert ContentItem.objects.count() == 2

    # A new entry, plus the same page again under a new id and with tracking parameters.
    feeds.routes["/feed.xml"] = (200, {}, rss([
        ("n4", "Lab opens (updated)", "https://Northwind.example/lab/?utm_source=rss#top"),
        ("n3", "Careers day", "https://northwind.example/careers"),
        ("n2", "Lab opens", "https://northwind.example/lab"),
    ]))
    source_poll(source_id=source.pk, force=True)
    assert ContentItem.objects.count() == 3
    dup = SourceEntry.objects.get(guid="n4")
    assert dup.item is None and dup.duplicate_of == drafts[1]
    source.refresh_from_db()
    assert source.last_result == "1 new draft; 1 already in the hub"
    detail = client_for(comms).get(reverse("advocacy:source-detail", args=[source.pk]))
    assert "Already in the hub" in detail.content.decode()


def test_a_link_already_in_the_hub_is_not_drafted_again(comms, admin, feeds, add):
    make_item(author=comms, link="https://northwind.example/news/lab?ref=home")
    feeds.routes["/f"] = (200, {}, rss([
        ("a", "Lab", "http://northwind.example/news/lab/?ref=home&utm_medium=feed")]))
    add(comms, "Blog", f"{feeds.url}/f")
    assert ContentItem.objects.count() == 1
    assert SourceEntry.objects.get().duplicate_of is not None


@pytest.mark.parametrize(("route", "status", "message"), [
    ((200, {"Content-Type": "text/html"}, b"<html><body>Not a feed</body></html>"),
     "broken", "does not return an RSS or Atom feed"),
    ((404, {}, b""), "broken", "not there any more (HTTP 404)"),
    ((500, {}, b""), "failing", "had an error (HTTP 500)"),
    ((429, {"Retry-After": "120"}, b""), "rate_limited", "asked us to slow down (HTTP 429)"),
])
def test_bad_feeds_get_a_clear_status_and_no_drafts(comms, feeds, add, route, status, message):
    feeds.routes["/f"] = route
    source = add(comms, "Bad", f"{feeds.url}/f")
    source.refresh_from_db()
    assert source.status == status and message in source.last_error
    assert not ContentItem.objects.exists() and not SourceEntry.objects.exists()
    if status == "rate_limited":
        wait = source.next_check_at - source.last_checked_at
        assert timedelta(seconds=119) < wait <= timedelta(seconds=121)
        assert source.pk not in sources_due()
        assert source.pk in sources_due(now=timezone.now() + timedelta(seconds=130))
    if status == "broken":
        assert source.pk not in sources_due(now=timezone.now() + timedelta(days=1))
    if status == "failing":
        assert source.consecutive_failures == 1


def test_a_feed_that_redirects_forever(comms, feeds, add):
    feeds.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    source = add(comms, "Loop", f"{feeds.url}/loop")
    source.refresh_from_db()
    assert source.status == "broken" and "redirects more than 5 times" in source.last_error


def test_a_huge_feed_is_refused(comms, feeds, add):
    feeds.routes["/big"] = (200, {}, b"<rss>" + b" " * (5 * 1024 * 1024 + 10) + b"</rss>")
    source = add(comms, "Big", f"{feeds.url}/big")
    source.refresh_from_db()
    assert source.status == "broken" and "larger than 5 MB" in source.last_error


def test_a_rate_limited_feed_recovers_without_duplicates(comms, feeds, add):
    items = [("a", "One", "https://n.example/1"), ("b", "Two", "https://n.example/2")]
    feeds.routes["/f"] = (200, {}, rss(items))
    source = add(comms, "F", f"{feeds.url}/f")
    feeds.routes["/f"] = (429, {}, b"")
    source_poll(source_id=source.pk, force=True)
    source.refresh_from_db()
    assert source.status == "rate_limited"
    feeds.routes["/f"] = (200, {}, rss([("c", "Three", "https://n.example/3"), *items]))
    source_poll(source_id=source.pk, force=True)
    assert sorted(ContentItem.objects.values_list("title", flat=True)) == ["One", "Three", "Two"]


def test_a_big_backlog_is_taken_in_batches(comms, feeds, add, monkeypatch):
    from chorus.advocacy.services import sources as service

    monkeypatch.setattr(service, "FIRST_POLL", 2)
    monkeypatch.setattr(service, "PER_POLL", 2)
    feeds.routes["/f"] = (200, {}, rss([(f"g{i}", f"Post {i}", f"https://n.example/{i}")
                                        for i in range(5, 0, -1)]))
    source = add(comms, "F", f"{feeds.url}/f")
    source.refresh_from_db()
    assert "3 older entries skipped on the first check" in source.last_result
    feeds.routes["/f"] = (200, {}, rss([(f"g{i}", f"Post {i}", f"https://n.example/{i}")
                                        for i in range(9, 0, -1)]))
    source_poll(source_id=source.pk, force=True)
    source.refresh_from_db()
    assert "2 more at the next check" in source.last_result  # 4 new: 2 now, 2 next
    source_poll(source_id=source.pk, force=True)
    assert ContentItem.objects.count() == 6


def test_recorded_profile_feeds_parse_into_entries():
    mastodon = parse((FEEDS / "mastodon_profile.rss").read_bytes(),
                     base_url="https://social.example/@jdoe.rss")
    assert mastodon and all(e.link.startswith("https://") for e in mastodon)
    bluesky = parse((FEEDS / "bluesky_profile.rss").read_bytes(),
                    base_url="https://bsky.app/profile/jdoe/rss")
    assert bluesky and all(e.guid for e in bluesky)


def test_canonical_url():
    assert canonical_url("https://News.Example:443/a/?utm_source=x&b=2&a=1#top") == \
        "https://news.example/a?a=1&b=2"
    assert canonical_url("http://news.example/a") == canonical_url("https://news.example/a/")
    assert canonical_url("https://news.example/a?fbclid=1") == "https://news.example/a"


def test_source_pages_are_for_comms_and_org_scoped(client_for, comms, employee, outsider,
                                                   feeds, add):
    feeds.routes["/f"] = (200, {}, rss([]))
    source = add(comms, "F", f"{feeds.url}/f")
    assert client_for(employee).get(reverse("advocacy:sources")).status_code == 403
    for url in (reverse("advocacy:source-detail", args=[source.pk]),):
        assert client_for(outsider).get(url).status_code == 404
    for action in ("check", "pause", "delete"):
        assert client_for(outsider).post(
            reverse("advocacy:source-action", args=[source.pk, action])).status_code == 404
    assert ContentSource.objects.filter(pk=source.pk, is_active=True).exists()
    bad = client_for(comms).post(reverse("advocacy:sources"), {"name": "X", "url": "ftp://x"})
    assert bad.status_code == 422 and "starting with https://" in bad.content.decode()
    again = client_for(comms).post(reverse("advocacy:sources"),
                                   {"name": "F", "url": f"{feeds.url}/f"})
    assert again.status_code == 422 and "already a source" in again.content.decode()


def test_suggestions_are_screened_moderated_and_credited(client_for, employee, comms, admin):
    page = client_for(employee).post(reverse("advocacy:suggest"), {
        "url": "https://northwind.example/blog/robots", "note": "Great read on our robots"})
    assert page.status_code == 302
    suggestion = ContentSuggestion.objects.get()
    assert suggestion.status == "pending" and suggestion.verdict == "allow"
    blocked = client_for(employee).post(reverse("advocacy:suggest"), {
        "url": "https://northwind.example/x", "note": "Our AWS key is AKIAIOSFODNN7EXAMPLE"})
    assert blocked.status_code == 422 and "cannot be sent as written" in blocked.content.decode()
    with pytest.raises(Conflict):
        suggestion_create(actor=employee, url="https://northwind.example/blog/robots/?utm_x=1")
    with pytest.raises(InvalidInput) as exc:
        suggestion_create(actor=employee, url="javascript:alert(1)")
    assert exc.value.field == "url"
    assert ContentSuggestion.objects.count() == 1

    moderation = client_for(comms).get(reverse("advocacy:suggestions")).content.decode()
    assert "Great read on our robots" in moderation
    accepted = client_for(comms).post(
        reverse("advocacy:suggestion-decide", args=[suggestion.pk, "accept"]),
        {f"s{suggestion.pk}-title": "How our robots learn", f"s{suggestion.pk}-caption": ""})
    item = ContentItem.objects.get()
    assert accepted.status_code == 302 and item.suggestion == suggestion
    assert item.author == comms and item.link == suggestion.url
    content_transition(item=item, actor=comms, to_status=ContentItem.Status.IN_REVIEW)
    content_transition(item=item, actor=admin, to_status=ContentItem.Status.APPROVED)
    note = Notification.objects.get(recipient=employee, kind="advocacy.suggestion_published")
    assert "How our robots learn" in note.title
    share = client_for(employee).get(reverse("advocacy:share", args=[item.pk])).content.decode()
    assert "Suggested by" in share and employee.full_name in share
    with pytest.raises(Conflict):
        suggestion_accept(actor=comms, suggestion=suggestion, title="Again")


def test_suggestion_moderation_is_org_scoped(client_for, employee, outsider):
    suggestion = suggestion_create(actor=employee, url="https://northwind.example/a")
    for decision in ("accept", "decline"):
        response = client_for(outsider).post(
            reverse("advocacy:suggestion-decide", args=[suggestion.pk, decision]),
            {f"s{suggestion.pk}-title": "Mine now"})
        assert response.status_code == 404
    suggestion.refresh_from_db()
    assert suggestion.status == "pending"
    assert "northwind.example/a" not in client_for(outsider).get(
        reverse("advocacy:suggestions")).content.decode()


def test_suggestions_are_in_the_persons_export_and_erased(employee):
    from chorus.advocacy.privacy import erase_person_data, export_person_data

    suggestion_create(actor=employee, url="https://northwind.example/mine", note="Nice one")
    sections = {s.title: s for s in export_person_data(employee.person)}
    rows = sections["Links you suggested"].records
    assert rows[0]["link"] == "https://northwind.example/mine" and rows[0]["note"] == "Nice one"
    erase_person_data(employee.person)
    assert not ContentSuggestion.objects.exists()
