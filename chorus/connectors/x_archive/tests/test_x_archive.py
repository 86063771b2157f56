import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chorus.connectors.base import ConnectorError
from chorus.connectors.x_archive.adapter import XArchiveConnector

TWEETS = (Path(__file__).resolve().parent.parent / "fixtures" / "tweets.js").read_bytes()


def parse(data: bytes):
    return XArchiveConnector().parse_archive(data, filename="tweets.js")


def test_the_sample_archive_parses_with_ids_as_strings_and_links_expanded():
    posts = parse(TWEETS)
    assert len(posts) == 2
    first = next(p for p in posts if p.external_id == "1795000000000000001")
    assert first.text == "Excited to share our new launch! #acme https://example.com/launch"
    assert first.published_at == datetime(2026, 5, 25, 14, 23, 28, tzinfo=UTC)
    assert first.url == "https://x.com/i/status/1795000000000000001"
    assert posts == sorted(posts, key=lambda p: p.published_at)


def test_the_whole_archive_zip_is_accepted():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data/tweets.js", TWEETS)
        archive.writestr("data/account.js", b"window.YTD.account.part0 = []")
    assert len(parse(buffer.getvalue())) == 2


@pytest.mark.parametrize(("data", "message"), [
    (b"[]", "should start with window.YTD.tweets.part0"),
    (b"window.YTD.tweets.part0 = [ {\"tweet\": ", "not valid JSON after the '=' (line 1"),
    (b"window.YTD.tweets.part0 = {}", "should hold a list"),
    (b'window.YTD.tweets.part0 = [{"tweet": {"id_str": "1", "created_at": "yesterday"}}]',
     "Tweet #1 (id 1) has an unreadable date 'yesterday'"),
    (b"PK\x03\x04broken", "damaged"),
    (b"\xff\xfe\x00", "not UTF-8"),
])
def test_a_bad_file_gets_an_error_that_says_what_is_wrong(data, message):
    with pytest.raises(ConnectorError) as exc:
        parse(data)
    assert message in exc.value.message and exc.value.permanent
