"""Property: any upload given to an archive importer (LinkedIn Shares.csv or export zip, X
tweets.js or archive zip, the fake network's JSONL) gives posts or a ConnectorError, never
another exception, quickly (hypothesis deadline). Zips are generated, then damaged."""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chorus.connectors.base import ConnectorError, RemotePost
from chorus.connectors.fake.adapter import FakeConnector
from chorus.connectors.linkedin_export.adapter import LinkedInExportConnector
from chorus.connectors.x_archive.adapter import XArchiveConnector

CONNECTORS = [LinkedInExportConnector(), XArchiveConnector(), FakeConnector()]

_CSV = st.sampled_from(
    ["Date,ShareLink,ShareCommentary\n", "2026-05-25 14:23:28,", "https://lnkd.in/x,",
     '"multi\nline ""quoted"""', ",", "\n", "\r\n", '"', "\ufeff", "\x00", "2026-13-45 99:99:99",
     "SharedUrl", ",,,,", "Visibility\n"]
)  # fmt: skip
_JS = st.sampled_from(
    ["window.YTD.tweets.part0 = [", "]", "{", "}", '{"tweet": {', '"id_str": "1"', ",",
     '"created_at": "Sat Feb 18 12:33:11 +0000 2023"', '"full_text": "hi"', '"entities": {}',
     '"urls": [{"url": 1}]', '"entities": []', '"entities": {"urls": [1, {"url": "a"}]}', "null", "=", ";", "[" * 2000, "9" * 5000, '"\\ud800"', "\n;;\n"]
)  # fmt: skip
_JSONL = st.sampled_from(
    ['{"id": 1, "text": "x", "published_at": "2026-05-25T10:00:00+00:00"}', '{"id": 1}',
     '{"id": 1, "text": 2, "published_at": 3}', "[]", "null", "\n", "{", "9" * 5000, "[" * 2000,
     '{"id": 1, "text": "x", "published_at": "2026-05-25"}']
)  # fmt: skip


def _text(pieces):
    return st.lists(st.one_of(pieces, st.text(max_size=5)), max_size=40).map(
        lambda parts: "".join(parts).encode("utf-8", errors="surrogatepass")
    )


CONTENT = st.one_of(st.binary(max_size=200), _text(_CSV), _text(_JS), _text(_JSONL))
NAMES_ = st.sampled_from(
    ["Shares.csv", "Shares_1.csv", "data/tweets.js", "data/tweets-part1.js", "tweets.js",
     "../../etc/tweets.js", "/abs/Shares.csv", "media/x.jpg", "dir/", "Shares.csv.exe"]
)  # fmt: skip


@st.composite
def zips(draw):
    buffer = io.BytesIO()
    method = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name in draw(st.lists(NAMES_, max_size=5, unique=True)):
            archive.writestr(name, draw(CONTENT))
    data = bytearray(buffer.getvalue())
    damage = draw(st.sampled_from(["none", "flip", "truncate"]))
    if damage == "flip" and data:
        for position in draw(st.lists(st.integers(0, len(data) - 1), min_size=1, max_size=8)):
            data[position] ^= draw(st.integers(1, 255))
    elif damage == "truncate" and data:
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


UPLOADS = st.one_of(CONTENT, zips(), st.binary(max_size=50).map(lambda b: b"PK" + b))


@settings(max_examples=500, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(data=UPLOADS, connector=st.sampled_from(CONNECTORS))
def test_any_upload_gives_posts_or_a_connector_error(data, connector):
    try:
        posts = connector.parse_archive(data, filename="upload")
    except ConnectorError as err:
        assert err.permanent and err.message
    else:
        assert all(isinstance(p, RemotePost) and isinstance(p.text, str) for p in posts)
