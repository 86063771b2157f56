"""The learned tier's interface: heads files, fitting, evaluation, and the engine using them."""

from __future__ import annotations

import numpy as np
import pytest

from chorus.screening import Post, Screener, parse_policy_yaml
from chorus.screening.learned import (
    HEAD_LABELS,
    Heads,
    LabelledPost,
    corpus_policy,
    default_heads,
    evaluate,
    fit_heads,
    load_corpus,
)

POLICY = corpus_policy()


def test_default_heads_ship_with_the_package_and_round_trip(tmp_path):
    heads = default_heads()
    assert heads.labels == HEAD_LABELS
    assert heads.version
    path = tmp_path / "heads.npz"
    heads.save(path)
    again = Heads.load(path)
    assert again.version == heads.version
    assert np.array_equal(again.weights, heads.weights)
    text = "Contoso's buyers are clueless amateurs."
    assert again.score_text(text) == heads.score_text(text)


def test_loading_something_else_is_a_clear_error(tmp_path):
    path = tmp_path / "x.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="cannot read heads"):
        Heads.load(path)
    with pytest.raises(ValueError, match="expected"):
        Heads(np.zeros((4, 3), np.float16), np.zeros(3, np.float32), np.zeros(3, np.float32))


def test_corpus_splits_are_disjoint():
    train, test = load_corpus("train"), load_corpus("test")
    assert train and test
    assert not {p.text for p in train} & {p.text for p in test}
    with pytest.raises(ValueError, match="split"):
        load_corpus("dev")


def test_fit_heads_learns_an_organizations_examples_and_the_engine_uses_them():
    phrase = "the quarterly zorblat figures are in the vault"
    examples = [
        LabelledPost(f"{phrase}, {suffix}", "en", frozenset({"confidential"}))
        for suffix in ("see you", "do not share", "wow", "secret stuff", "hush", "really")
    ] * 4
    heads = fit_heads(examples, include_shipped=False, epochs=60, example_weight=1.0)
    assert heads.version != default_heads().version
    text = f"Breaking: {phrase}."
    assert heads.score_text(text)["confidential"] > 0.5
    result = Screener(POLICY, heads=heads).check(Post(id="1", text=text))
    assert "confidential" in result.categories
    finding = next(f for f in result.findings if f.category == "confidential")
    assert finding.excerpt == text[finding.start : finding.end]
    assert "{score}" in finding.why and finding.why_params
    assert "Policy:" in finding.message
    # The rules alone do not see it.
    assert "confidential" not in Screener(POLICY, learned=False).check(Post("1", text)).categories


def test_fit_heads_rejects_unknown_categories():
    with pytest.raises(ValueError, match=r"examples\[0\]: unknown categories"):
        fit_heads([LabelledPost("x", "en", frozenset({"rudeness"}))], include_shipped=False)


def test_evaluate_reports_per_category_and_micro_macro():
    report = evaluate(default_heads(), load_corpus("test")[:40])
    assert set(report["per_category"]) == set(HEAD_LABELS[:-1])
    assert {"precision", "recall", "f1"} <= set(report["micro"])
    assert 0.0 <= report["macro_f1"] <= 1.0


def test_a_disabled_rule_gets_no_learned_finding():
    policy = parse_policy_yaml(
        "organization: {name: Northwind Robotics}\npreset: balanced\n"
        "rules:\n  - {id: conduct.harassment, enabled: false}\n"
    )
    text = "you are the laziest most useless engineer I have ever worked with"
    result = Screener(policy).check(Post("1", text))
    assert "harassment" not in result.categories


# ---------------------------------------------------------------- protected activity

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PROTECTED = [
    "We're organizing a union at the Northwind depot",
    "Unpaid overtime again this week, we're filing with the labor board",
    "Wir gründen einen Betriebsrat, die Überstunden werden nicht bezahlt",
    "On prépare une grève, les conditions de travail sont intenables",
    "Vamos a la huelga, el sindicato nos apoya con los salarios",
    "Vamos fazer greve, o sindicato apoia as horas extras",
    "Our wages are lower than at Contoso and management won't talk to us",
    "The heat on the floor is a safety hazard and we're reporting it to OSHA",
]
_HARSH = [
    "management are clueless clowns",
    "the execs are greedy idiots",
    "this fucking schedule is killing us",
    "die Geschäftsführung ist unfähig",
    "la direction est nulle et méprisante",
    "los jefes son unos inútiles",
    "a chefia é um bando de palhaços",
    "Skylift sales pay for their bonuses, not ours",
    "our Q3 numbers are great and we see none of it",
    "Initech pays better",
    "",
]


@st.composite
def protected_posts(draw: st.DrawFn) -> str:
    parts = [draw(st.sampled_from(_PROTECTED))]
    parts += draw(st.lists(st.sampled_from(_HARSH), min_size=0, max_size=3))
    parts = draw(st.permutations(parts))
    joiner = draw(st.sampled_from([". ", "! ", " - ", "\n", ", "]))
    return joiner.join(p for p in parts if p)


@settings(max_examples=150, deadline=None)
@given(text=protected_posts(), preset=st.sampled_from(["strict", "balanced", "loose"]))
def test_no_model_output_turns_a_protected_post_into_a_block(text, preset):
    policy = parse_policy_yaml(
        "organization: {name: Northwind Robotics, aliases: [Northwind], products: [Skylift]}\n"
        f"preset: {preset}\nentities: {{customers: [Contoso], competitors: [Initech]}}\n"
    )
    with_model = Screener(policy).check(Post("p", text))
    rules_only = Screener(policy, learned=False).check(Post("p", text))
    if "protected_activity" in with_model.signals and rules_only.verdict != "block":
        assert with_model.verdict != "block", (text, with_model.findings)
    # A learned conduct finding on a protected post is only a note.
    if "protected_activity" in with_model.signals:
        learned = [f for f in with_model.findings if "learned model" in f.message]
        for finding in learned:
            if finding.category in ("harassment", "profanity"):
                assert finding.severity == "info"
