from datetime import UTC, datetime
from pathlib import Path

import pytest

from chorus.connectors.base import ConnectorError
from chorus.connectors.linkedin_export.adapter import LinkedInExportConnector

SHARES = (Path(__file__).resolve().parent.parent / "fixtures" / "Shares.csv").read_bytes()


def parse(data: bytes):
    return LinkedInExportConnector().parse_archive(data, filename="Shares.csv")


def test_shares_parse_with_multiline_commentary_and_skip_plain_reposts():
    posts = parse(SHARES)
    assert len(posts) == 2  # the third row is a repost with no words of the person
    lessons = posts[0]
    assert lessons.published_at == datetime(2026, 5, 24, 9, 0, tzinfo=UTC)
    assert '1. "Ship small" beats "ship big"' in lessons.text
    assert lessons.external_id == "urn:li:ugcPost:7330000000000000002"
    assert posts[1].text.endswith("https://example.com/launch")


def test_a_bom_and_extra_columns_are_tolerated():
    data = b"\xef\xbb\xbf" + SHARES.replace(b"Visibility", b"Visibility,Extra", 1)
    assert len(parse(data)) == 2


@pytest.mark.parametrize(("data", "message"), [
    (b"Date,Link,Message\n2026-01-01 00:00:00,x,hi\n", "missing the column(s) ShareLink, ShareCommentary"),
    (b"Date,ShareLink,ShareCommentary\n25/05/2026,https://l.example/1,hello\n",
     "line 2: the date '25/05/2026' should look like 2026-05-25 14:23:28"),
    (b"Date,ShareLink,ShareCommentary\n2026-05-25 14:23:28,,hello\n", "line 2: ShareLink is empty"),
    (b"", "missing the column(s)"),
])
def test_a_bad_export_gets_an_error_naming_line_and_field(data, message):
    with pytest.raises(ConnectorError) as exc:
        parse(data)
    assert message in exc.value.message
