"""The policy decides: enabled flags, severities, thresholds, allowlist, custom terms."""

from __future__ import annotations

from chorus.screening import Post, Screener
from chorus.screening.tests.conftest import make_policy

INSULT = "Olaf is a spineless weasel."


def test_disabled_rule_produces_no_finding():
    policy = make_policy(rules=[{"id": "competitor.negative", "enabled": False}])
    result = Screener(policy).check(Post(id="t", text="Globex's drones are garbage."))
    assert result.verdict == "allow" and not result.findings


def test_severity_override_changes_the_verdict():
    policy = make_policy(rules=[{"id": "competitor.negative", "severity": "critical"}])
    assert (
        Screener(policy).check(Post(id="t", text="Globex's drones are garbage.")).verdict == "block"
    )


def test_thresholds_decide_the_verdict():
    policy = make_policy(thresholds={"block": "medium", "warn": "low"})
    assert Screener(policy).check(Post(id="t", text=INSULT)).verdict == "block"


def test_loose_preset_is_coaching_heavy_and_strict_turns_on_more():
    claim = "My fund returns a guaranteed 20% a year, zero risk."
    loose = Screener(make_policy(preset="loose"))
    strict = Screener(make_policy(preset="strict"))
    assert loose.check(Post(id="t", text=claim)).verdict == "allow"
    assert strict.check(Post(id="t", text=claim)).verdict == "block"
    assert loose.check(Post(id="t", text="Well, shit.")).verdict == "allow"


def test_allowlisted_terms_are_never_flagged():
    policy = make_policy(allowlist=["Bluebird"])
    result = Screener(policy).check(Post(id="t", text="Bluebird ships next week!"))
    assert not [f for f in result.findings if f.excerpt == "Bluebird"]


def test_custom_rule_terms_are_flagged_with_the_custom_rule():
    policy = make_policy(
        rules=[{"id": "custom.falcon", "category": "confidential", "severity": "high",
                "title": "Project Falcon is secret", "params": {"terms": ["Falcon board"]}}]
    )  # fmt: skip
    result = Screener(policy).check(Post(id="t", text="The falcon board arrived today"))
    assert [f.rule_id for f in result.findings] == ["custom.falcon"]
    assert result.verdict == "block"


def test_guidance_rules_are_never_checked(northwind_policy):
    result = Screener(northwind_policy).check(Post(id="t", text="Let's talk about pay."))
    assert all(not f.rule_id.startswith("guidance.") for f in result.findings)


def test_screener_for_caches_by_canonical_hash(northwind_policy):
    from chorus.screening import parse_policy_yaml, screener_for
    from chorus.screening.policy import dump_policy_yaml

    again = parse_policy_yaml(dump_policy_yaml(northwind_policy))
    assert screener_for(northwind_policy) is screener_for(again)
