"""The impact preview's shared pass gives exactly what two separate screenings give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chorus.screening import Post, load_policy_file, screener_for
from chorus.screening.compare import Item, PairScreener, replay
from chorus.screening.policy import Policy

DATA = Path("/work/shared/data/screening-dev")
TERMS = {"id": "custom.union_talk", "category": "confidential", "severity": "critical",
         "title": "Union talk", "text": "No talk of unions.",
         "params": {"terms": ["union", "pay", "Skylift"]}}


def _texts() -> list[str]:
    with open(DATA / "posts.jsonl") as handle:
        texts = [json.loads(line)["text"] for line in handle]
    return [*texts, "We should organize a union about our pay.", "Skylift ships in May!", ""]


def _drafts(base: dict) -> dict[str, dict]:
    rules = base.get("rules", [])
    return {
        "thresholds": dict(base, thresholds={"block": "medium", "warn": "low"}),
        "severity": dict(base, rules=[dict(rules[0], severity="critical"), *rules[1:]])
        if rules else dict(base),
        "new term rule": dict(base, rules=[*rules, TERMS]),
        "entities": dict(base, entities={"codenames": ["Kestrel"]}),
    }


@pytest.mark.parametrize("name", ["thresholds", "severity", "new term rule", "entities"])
@pytest.mark.parametrize("direction", ["stricter", "looser"])
def test_pair_results_equal_separate_screening(name, direction):
    base = load_policy_file(DATA / "policy.yaml").to_dict()
    draft = _drafts(base)[name]
    old, new = (base, draft) if direction == "stricter" else (draft, base)
    old_p, new_p = Policy.from_dict(old), Policy.from_dict(new)
    pair = PairScreener(old_p, new_p)
    if name != "entities":
        assert pair.shared is not None  # the fast path is taken
    for i, text in enumerate(_texts()):
        post = Post(id=str(i), text=text)
        got_old, got_new = pair.check(post)
        assert got_old == screener_for(old_p).check(post)
        assert got_new == screener_for(new_p).check(post)


def test_replay_tallies_a_new_blocking_rule():
    base = load_policy_file(DATA / "policy.yaml")
    draft = Policy.from_dict(dict(base.to_dict(), rules=[*base.to_dict().get("rules", []),
                                                         TERMS]))
    items = [Item("review", "1", "We should organize a union about our pay.", None, "user:1"),
             Item("review", "2", "We should organize a union about our pay.", None, "user:2"),
             Item("caption", "3", "Great day at the lab", None, "user:3")]
    result = replay(base, draft, items).to_dict()
    assert result["texts"] == 3 and result["people"] == 2
    assert result["verdicts"] == {"allow→block": 2}
    assert result["protected_count"] == 2
    assert result["rules"][0]["rule_id"] == "custom.union_talk"
