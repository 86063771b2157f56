"""Finding sentences are catalog templates: the English message is the template filled in."""

from __future__ import annotations

from pathlib import Path

import pytest

from chorus.screening import Post, Screener, load_policy_file

DATA = Path("/work/shared/data/screening-dev")

POSTS = [
    "My SSN is 078-05-1120, call me",
    "Here is our key AKIAIOSFODNN7EXAMPLE for the bucket",
    "You are an idiot @sam",
]


@pytest.mark.skipif(not (DATA / "policy.yaml").exists(), reason="screening dev set not present")
@pytest.mark.parametrize("text", POSTS)
def test_each_finding_message_starts_with_its_why_template_filled(text: str) -> None:
    screener = Screener(load_policy_file(DATA / "policy.yaml"))
    result = screener.check(Post(id="p", text=text))
    assert result.findings, text
    for finding in result.findings:
        assert finding.why, finding
        filled = finding.why.format(**finding.why_params) if finding.why_params else finding.why
        assert finding.message.startswith(filled + " Policy: \u201c")
