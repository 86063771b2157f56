"""Properties: never raises, spans are exact, results are deterministic, input limits."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chorus.screening import MAX_TEXT_CHARS, InputTooLarge, Post

# Text with the tricky parts over-represented: names, leet, separators, digits, surrogates.
_PIECES = st.sampled_from(
    ["Globex", "Contoso's", "#NorthwindEmployee", "@rkim", "NWRB", "$NWRB", "f.u.c.k", "sh!t",
     "💩", "🖕", "ß", "İ", "é", "e\u0301", "\u0000", "\u202e", "\ud800", "\n", "  ", "-", "4111",
     "1111", "password: Hunter2!x", "AKIA", "ghp_", "Bluebird", "kill you", "union", "ﬁ", "Ｆ"]
)  # fmt: skip
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=40).map(" ".join),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=TEXTS)
def test_check_never_raises_and_spans_are_exact(screener, text):
    result = screener.check(Post(id="p", text=text))
    assert result.verdict in ("allow", "warn", "block")
    for finding in result.findings:
        assert 0 <= finding.start <= finding.end <= len(text)
        assert finding.excerpt == text[finding.start : finding.end]
    assert result.categories == tuple(sorted(set(result.categories)))
    assert screener.check(Post(id="p", text=text)) == result


def test_empty_text_is_allowed_without_findings(screener):
    for text in ("", "   ", "\n\t"):
        result = screener.check(Post(id="e", text=text))
        assert (result.verdict, result.findings) == ("allow", ())


def test_text_over_the_limit_raises_a_clear_error(screener):
    with pytest.raises(InputTooLarge, match="limit is 100,000 characters"):
        screener.check(Post(id="big", text="a" * (MAX_TEXT_CHARS + 1)))
    assert issubclass(InputTooLarge, ValueError)


def test_text_at_the_limit_is_checked(screener):
    screener.check(Post(id="edge", text=("Globex is fine. " * 7000)[:MAX_TEXT_CHARS]))


def test_check_many_streams_in_order(screener):
    posts = (Post(id=str(i), text=f"post {i}") for i in range(50))
    assert [r.id for r in screener.check_many(posts)] == [str(i) for i in range(50)]


def test_result_to_dict_has_exactly_the_contract_keys(screener):
    data = screener.check(Post(id="p-1", text="Globex's drones are garbage.")).to_dict()
    assert list(data) == ["id", "verdict", "categories", "signals", "findings"]
    finding = data["findings"][0]
    assert set(finding) <= {"rule_id", "category", "severity", "start", "end", "excerpt",
                            "message", "suggestion"}  # fmt: skip
    assert {"rule_id", "category", "severity", "start", "end", "excerpt", "message"} <= set(finding)
