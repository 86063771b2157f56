"""The policy document: parsing, validation errors (field and line), canonical round trips."""

from __future__ import annotations

import pytest

from chorus.screening.catalog import CATEGORIES, PRESETS, RULES, SEVERITIES, preset_rules
from chorus.screening.policy import (
    Policy,
    PolicyError,
    dump_policy_yaml,
    load_policy_file,
    parse_policy_yaml,
)
from chorus.screening.tests.conftest import NORTHWIND_POLICY

FULL_POLICY = """\
schema: 1
title: Northwind Robotics social media policy
organization:
  name: Northwind Robotics
  aliases: [Northwind, NWR]
  products: [Skylift, Tern]
  ticker: NWRB
  regions: [US, GB]
  jurisdictions: [US, US-CA, EU]
preset: strict
entities:
  customers: [Contoso]
  competitors: [Initech]
  codenames: [Bluebird]
  unreleased: [Skylift 2]
  executives: [Ada Lovelace]
allowlist: [Blue Bird]
disclosure:
  hashtags: ["#NorthwindEmployee"]
  phrases: ["I work at Northwind"]
  required_for_advocacy: true
  disclaimer: Views are my own.
languages: [en, de]
thresholds: {block: high, warn: low}
rules:
  - id: competitor.negative
    severity: high
    params: {note: "yes"}
  - id: custom.launch_words
    category: confidential
    severity: medium
    title: Launch words
    params: {terms: [launch party]}
sections:
  purpose: Why we have this policy.
  contact: comms@northwind.example
"""


def test_minimal_policy_parses_with_defaults(northwind_policy):
    assert northwind_policy.preset == "balanced"
    assert northwind_policy.organization.ticker == "NWRB"
    assert northwind_policy.schema == 1
    assert northwind_policy.effective_thresholds().block == "high"
    assert "#NorthwindEmployee" in northwind_policy.effective_hashtags()


def test_full_policy_round_trips_through_dict_and_yaml():
    policy = parse_policy_yaml(FULL_POLICY)
    assert Policy.from_dict(policy.to_dict()) == policy
    assert parse_policy_yaml(dump_policy_yaml(policy)) == policy
    assert dump_policy_yaml(parse_policy_yaml(dump_policy_yaml(policy))) == dump_policy_yaml(policy)


def test_canonical_hash_ignores_formatting_but_not_content():
    a = parse_policy_yaml(NORTHWIND_POLICY)
    b = parse_policy_yaml(dump_policy_yaml(a))
    assert a.canonical_hash() == b.canonical_hash()
    c = parse_policy_yaml(NORTHWIND_POLICY.replace("balanced", "strict"))
    assert a.canonical_hash() != c.canonical_hash()


def test_effective_rules_merge_overrides_and_keep_custom_rules():
    rules = {r.id: r for r in parse_policy_yaml(FULL_POLICY).effective_rules()}
    assert rules["competitor.negative"].severity == "high"
    assert rules["competitor.negative"].title  # inherited from the catalog
    assert rules["competitor.negative"].params == {"note": "yes"}
    assert rules["custom.launch_words"].category == "confidential"
    assert rules["custom.launch_words"].enabled is True
    assert all(r.severity in SEVERITIES for r in rules.values())


@pytest.mark.parametrize(
    ("text", "field", "line", "needle"),
    [
        ("preset: balanced\n", "organization", 1, "required"),
        ("organization:\n  aliases: [A]\npreset: balanced\n", "organization.name", 1, "required"),
        ("organization: {name: X}\n", "preset", 1, "required"),
        ("organization: {name: X}\npreset: medium\n", "preset", 2, "'medium' is not one of"),
        ("organization: {name: X}\npreset: balanced\nfoo: 1\n", "foo", 3, "unknown key 'foo'"),
        (
            "organization: {name: X, color: red}\npreset: balanced\n",
            "organization.color",
            1,
            "unknown key",
        ),
        ("organization: {name: X}\npreset: balanced\npreset: loose\n", "preset", 3, "duplicate"),
        (
            "organization: {name: X}\npreset: balanced\nrules:\n  - id: conduct.profanity\n"
            "    severity: huge\n",
            "rules[0].severity",
            5,
            "'huge' is not one of info, low",
        ),
        (
            "organization: {name: X}\npreset: balanced\nrules:\n  - id: conduct.profanity\n"
            "  - id: conduct.profanity\n",
            "rules[1].id",
            5,
            "twice",
        ),
        (
            "organization: {name: X}\npreset: balanced\nrules:\n  - id: my.rule\n",
            "rules[0].category",
            4,
            "required for custom rule",
        ),
        (
            "organization: {name: X}\npreset: balanced\nrules:\n  - id: conduct.profanity\n"
            "    category: pii\n",
            "rules[0].category",
            5,
            "has category 'profanity'",
        ),
        (
            "organization: {name: X}\npreset: balanced\nrules:\n  - id: conduct.profanity\n"
            "    enabled: sometimes\n",
            "rules[0].enabled",
            5,
            "true or false",
        ),
        (
            "organization: {name: X}\npreset: balanced\nentities:\n  customers: Contoso\n",
            "entities.customers",
            4,
            "list of strings",
        ),
        (
            "organization: {name: X}\npreset: balanced\nentities:\n  customers: [A, 3]\n",
            "entities.customers[1]",
            4,
            "expected a string",
        ),
        (
            "organization: {name: X, regions: [usa]}\npreset: balanced\n",
            "organization.regions[0]",
            1,
            "ISO 3166",
        ),
        (
            "organization: {name: X}\npreset: balanced\nthresholds: {block: low, warn: high}\n",
            "thresholds.warn",
            3,
            "must not be above",
        ),
        (
            "organization: {name: X}\npreset: balanced\ndisclosure: {hashtags: [Northwind]}\n",
            "disclosure.hashtags[0]",
            3,
            "#NorthwindEmployee",
        ),
        (
            "organization: {name: X}\npreset: balanced\nlanguages: [en, xx]\n",
            "languages[1]",
            3,
            "'xx' is not one of",
        ),
        ("organization: {name: X}\npreset: balanced\nschema: 2\n", "schema", 3, "unsupported"),
        ("organization: {name: ''}\npreset: balanced\n", "organization.name", 1, "empty"),
    ],
)
def test_every_error_names_the_field_and_the_line(text, field, line, needle):
    with pytest.raises(PolicyError) as info:
        parse_policy_yaml(text, source="policy.yaml")
    err = info.value
    assert (err.field, err.line) == (field, line)
    assert needle in err.message
    assert str(err).startswith(f"policy.yaml:{line}: {field}: ")


def test_invalid_yaml_reports_its_line():
    with pytest.raises(PolicyError) as info:
        parse_policy_yaml("organization: {name: X}\npreset: [balanced\n", source="p.yaml")
    assert info.value.line is not None
    assert "invalid YAML" in str(info.value)


def test_empty_and_non_mapping_documents_are_errors():
    with pytest.raises(PolicyError, match="empty"):
        parse_policy_yaml("")
    with pytest.raises(PolicyError, match="expected a mapping"):
        parse_policy_yaml("- a\n- b\n")


def test_from_dict_validates_without_lines():
    with pytest.raises(PolicyError) as info:
        Policy.from_dict({"organization": {"name": "X"}, "preset": "balanced", "rules": "no"})
    assert info.value.field == "rules"
    assert info.value.line is None


def test_load_policy_file_reports_unreadable_and_non_utf8_files(tmp_path):
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy_file(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"organization: {name: X}\npreset: \xff\n")
    with pytest.raises(PolicyError) as info:
        load_policy_file(bad)
    assert info.value.line == 2


def test_catalog_covers_every_category_in_every_preset():
    for preset in PRESETS:
        settings = preset_rules(preset)
        assert {s.category for s in settings} >= set(CATEGORIES)
        assert all(s.severity in SEVERITIES for s in settings)
    assert all(spec.rationale and spec.source_ids for spec in RULES)


def test_balanced_preset_reproduces_the_labelling_verdicts():
    rules = {r.id: r for r in preset_rules("balanced")}
    block = {
        "security.credentials",
        "privacy.personal_data",
        "securities.mnpi",
        "confidential.information",
        "conduct.threats",
        "conduct.harassment",
    }
    for rule_id in block:
        assert rules[rule_id].severity in ("high", "critical"), rule_id
    for rule_id in (
        "conduct.profanity",
        "customer.negative",
        "competitor.negative",
        "disclosure.employment",
        "identity.spokesperson",
        "claims.regulated",
    ):
        assert rules[rule_id].severity in ("low", "medium"), rule_id
    assert rules["conduct.harassment"].params == {"insult_severity": "medium"}
    assert rules["disclosure.views_own"].severity == "info"


def test_no_preset_turns_on_a_rule_against_working_conditions_talk():
    for preset in PRESETS:
        guidance = [s for s in preset_rules(preset) if s.category == "guidance"]
        assert any("pay, hours or working conditions" in (s.text or "") for s in guidance)


def test_loose_preset_turns_regulated_claims_off():
    rules = {r.id: r for r in preset_rules("loose")}
    assert rules["claims.regulated"].enabled is False


# ---------------------------------------------------------------- hostile documents (issue 11)


def _alias_bomb(levels: int) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join([*lines, "schema: 1", "title: bomb", "entities:", f"  customers: *a{levels}"])


@pytest.mark.parametrize(
    "text",
    [
        _alias_bomb(8),  # would expand to 10^9 strings
        "schema: 1\ntitle: x\nrules: &x [*x]\n",  # recursive alias
        "entities: &x\n  customers: *x\n",
        "organization: &org {name: Acme}\nentities:\n  <<: *org\n",  # merge key
        "title: &t Acme\n",  # an anchor alone
    ],
)
def test_anchors_and_aliases_are_refused_before_expansion(text):
    with pytest.raises(PolicyError, match="anchors and aliases"):
        parse_policy_yaml(text)


@pytest.mark.parametrize("depth", [33, 900, 5000])
def test_deep_nesting_is_a_policy_error_not_a_recursion_error(depth):
    for text in ("rules: " + "[" * depth + "]" * depth, "- " * depth + "x"):
        with pytest.raises(PolicyError, match="nested more than 32 levels"):
            parse_policy_yaml(text)


def test_a_huge_document_is_refused_with_the_limit():
    text = "title: x\n" + "# padding\n" * 60_000
    with pytest.raises(PolicyError, match="the limit is 524,288"):
        parse_policy_yaml(text)


def test_too_many_values_are_refused():
    text = "entities:\n  customers: [" + ",".join(["c"] * 100_001) + "]\n"
    with pytest.raises(PolicyError, match="more than 100,000 values"):
        parse_policy_yaml(text)


def test_normal_nesting_still_parses():
    policy = parse_policy_yaml(FULL_POLICY)
    assert policy.entities.customers == ("Contoso",)


def test_an_impossible_date_value_is_a_policy_error():
    with pytest.raises(PolicyError, match="invalid value") as exc:
        parse_policy_yaml("title: 2026-13-45\n")
    assert exc.value.line == 1
