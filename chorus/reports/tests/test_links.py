"""URL validation, normalization and network detection: tables, no database."""

from __future__ import annotations

import pytest

from chorus.common.errors import InvalidInput
from chorus.reports.links import detect_network, normalize_url, validate_report_url

SAME_POST = [
    ("https://x.com/acme/status/123", "https://x.com/acme/status/123"),
    ("HTTPS://X.COM/acme/status/123/", "https://x.com/acme/status/123"),
    ("http://www.x.com/acme/status/123#replies", "https://x.com/acme/status/123"),
    ("https://twitter.com/acme/status/123?s=20&t=abc", "https://x.com/acme/status/123"),
    (
        "https://x.com/acme/status/123?utm_source=a&utm_medium=b&utm_campaign=c",
        "https://x.com/acme/status/123",
    ),
    (
        "https://www.linkedin.com/posts/acme-123/?trk=public&fbclid=zz",
        "https://linkedin.com/posts/acme-123",
    ),
    ("https://example.com:443/a//b/?b=2&a=1", "https://example.com/a/b?a=1&b=2"),
    ("https://example.com:8080/a", "https://example.com:8080/a"),
]


@pytest.mark.parametrize(("raw", "expected"), SAME_POST)
def test_normalize_url_merges_variants_of_one_post(raw, expected):
    assert normalize_url(raw) == expected


def test_normalize_url_keeps_meaningful_query_and_path_case():
    assert normalize_url("https://news.example/Story?id=7") != normalize_url(
        "https://news.example/story?id=7"
    )
    assert normalize_url("https://forum.example/t?id=7") != normalize_url(
        "https://forum.example/t?id=8"
    )


@pytest.mark.parametrize(
    ("url", "network"),
    [
        ("https://x.com/a/status/1", "x"),
        ("https://mobile.twitter.com/a/status/1", "x"),
        ("https://bsky.app/profile/a.bsky.social/post/3k", "bluesky"),
        ("https://mastodon.social/@alice/111222333", "mastodon"),
        ("https://hachyderm.io/@bob@example.org/42", "mastodon"),
        ("https://www.linkedin.com/feed/update/urn:li:activity:1/", "linkedin"),
        ("https://m.facebook.com/story.php?id=1", "facebook"),
        ("https://www.tiktok.com/@a/video/1", "tiktok"),
        ("https://youtu.be/abc", "youtube"),
        ("https://news.example.com/2026/story", None),
    ],
)
def test_detect_network_from_the_link(url, network):
    assert detect_network(url) == network


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "Enter the link"),
        ("x.com/acme/status/1", "no https://"),
        ("javascript:alert(1)", "cannot be reported"),
        ("ftp://files.example.com/a", "cannot be reported"),
        ("https://", "not a valid web address"),
        ("https://exa mple.com/a", "not a valid web address"),
        ("http://localhost/a", "not a public website"),
        ("http://intranet/a", "not a valid web address"),
        ("http://192.168.1.10/a", "private or local"),
        ("http://127.0.0.1:8000/a", "private or local"),
        ("https://example.com/" + "a" * 2001, "longer than 2,000"),
    ],
)
def test_bad_urls_are_refused_with_a_message_saying_what_to_do(raw, fragment):
    with pytest.raises(InvalidInput) as exc:
        validate_report_url(raw)
    assert exc.value.field == "url"
    assert fragment in exc.value.message


def test_a_public_post_url_is_accepted_as_typed_without_surrounding_spaces():
    assert (
        validate_report_url("  https://bsky.app/profile/a/post/1 ")
        == "https://bsky.app/profile/a/post/1"
    )
