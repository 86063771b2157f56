"""Property: any bytes given to `chorus check` as JSONL give posts or an InputError naming the
line, never another exception (RecursionError, ValueError from huge numbers...), quickly."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from chorus.screening.cli import InputError, _jsonl_posts

_PIECES = st.sampled_from(
    ['{"id": "a", "text": "hi"}', '{"id": 1, "text": ""}', '{"id": true, "text": "x"}',
     '{"text": 3}', "[", "]", "{", "}", '"', ",", ":", "\n", "\r\n", "null", "1e999",
     "9" * 5000, '"\\ud800"', "\x00", "\xff", '{"id": "b", "text": "x", "context": [1]}',
     "[" * 3000, "{\"a\":" * 3000]
)  # fmt: skip
LINES = st.one_of(
    st.binary(max_size=300),
    st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=30).map(
        lambda parts: "".join(parts).encode("utf-8", errors="surrogatepass")
    ),
)


@settings(max_examples=400, deadline=2000)
@given(raw=LINES)
def test_any_jsonl_input_gives_posts_or_an_input_error(raw):
    try:
        posts = list(_jsonl_posts(io.BytesIO(raw), "posts.jsonl"))
    except InputError as err:
        assert str(err).startswith("posts.jsonl:")
    else:
        assert all(isinstance(post.text, str) for _, post in posts)


def test_a_deeply_nested_line_is_an_input_error():
    for raw in (b"[" * 100_000, b'{"id": "a", "text": "x", "n": ' + b"9" * 5000 + b"}"):
        try:
            list(_jsonl_posts(io.BytesIO(raw), "posts.jsonl"))
        except InputError as err:
            assert "posts.jsonl:1: invalid JSON" in str(err)
        else:
            raise AssertionError("accepted")
