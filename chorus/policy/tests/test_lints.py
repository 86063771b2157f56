"""Lints are pure: a policy dict in, findings out. No database needed."""

from __future__ import annotations

import copy

import pytest

from chorus.policy.documents import FixError, apply_fix, normalize_document
from chorus.policy.lints import ERROR, INFO, REGISTRY, WARNING, lint_document
from chorus.policy.presets import preset_document

ALL = ["US", "US-CA", "US-NY", "US-CO", "EU", "DE", "UK", "FINRA", "SEC"]


def doc_with(text: str, *, rule_id: str = "customer.negative", preset: str = "balanced") -> dict:
    """The balanced preset with one rule's text replaced."""
    document = preset_document(preset, organization_name="Acme Robotics")
    for rule in document["rules"]:
        if rule["id"] == rule_id:
            rule["text"] = text
    return document


def ids(document: dict, jurisdictions=ALL, disabled=()) -> set[str]:
    return {
        f.lint_id for f in lint_document(document, jurisdictions=jurisdictions, disabled=disabled)
    }


# One row per lint trigger: (rule text, lint that must fire). A new row for every bug.
TEXT_CASES = [
    ("Employees must not make negative remarks about the company.", "L-NLRA-01"),
    ("Never post disparaging comments about management or co-workers.", "L-NLRA-01"),
    ("Do not post anything that could damage the company's reputation.", "L-NLRA-01"),
    ("Salaries and bonuses are confidential and must not be shared.", "L-NLRA-02"),
    ("Do not discuss your wages or schedules with anyone outside the team.", "L-NLRA-02"),
    ("Do not disclose confidential information.", "L-NLRA-03"),
    ("Always be respectful and professional online.", "L-NLRA-04"),
    ("Your posts must be completely accurate and not misleading.", "L-NLRA-05"),
    ("Do not use the company logo in any post.", "L-NLRA-06"),
    ("Never take photos or videos in the workplace.", "L-NLRA-07"),
    ("Do not speak to the media about the company.", "L-NLRA-08"),
    ("Do not discuss legal matters or lawsuits involving the company.", "L-NLRA-09"),
    ("Get approval from Communications before posting about the company.", "L-NLRA-10"),
    ("When in doubt, do not post.", "L-NLRA-10"),
    ("Raise complaints internally instead of posting them online.", "L-NLRA-11"),
    ("You must report colleagues who post inappropriate content.", "L-NLRA-12"),
    ("Do not friend or follow co-workers on personal accounts.", "L-NLRA-13"),
    ("Avoid posting about politics or religion.", "L-NLRA-14"),
    ("You must provide your social media passwords to your manager on request.", "L-ST-01"),
    ("Add HR as a friend on Facebook so we can see your posts.", "L-ST-01"),
    ("Do not post about drinking alcohol or your private life.", "L-ST-02"),
    ("Do not discuss harassment complaints on social media.", "L-FED-03"),
    ("Disclosing that you work here in your bio is enough.", "L-FTC-01"),
    ("You may discuss client trades with customers over WhatsApp.", "L-FIN-01"),
    ("We continuously monitor all employees' personal accounts.", "L-GDPR-01"),
    ("We flag posts that reveal union membership or health.", "L-GDPR-02"),
    ("We run sentiment analysis on staff posts.", "L-AIA-02"),
    ("Violations result in immediate termination.", "L-RSP-01"),
    ("Posting secrets will result in dismissal without review.", "L-RSP-01"),
    ("Do not troll anyone.", "L-POL-01"),
    ("Show proper consideration for politics and religion.", "L-POL-02"),
]


@pytest.mark.parametrize(("text", "lint_id"), TEXT_CASES)
def test_lint_fires_on_its_trigger_wording(text, lint_id):
    assert lint_id in ids(doc_with(text))


# Wording that must stay clean (false positives are bugs too).
CLEAN_CASES = [
    "Do not post statements about Acme Robotics that you know to be false or that are malicious.",
    "Keep trade secrets private, such as source code and roadmaps. This never covers your pay.",
    "Only authorized spokespeople speak on behalf of the company. You may always speak for yourself.",
    "Never post passwords, API keys, tokens or private keys, even expired ones.",
    "We never ask for your passwords or to change your privacy settings.",
    "Do not use the logo commercially or in a way that implies the company endorses a product.",
    "Do not post photos that show customer data or restricted areas at the workplace.",
    "You may report harassment you see; reporting is always optional.",
]


@pytest.mark.parametrize("text", CLEAN_CASES)
def test_narrow_wording_does_not_trigger_text_lints(text):
    fired = ids(doc_with(text), jurisdictions=[j for j in ALL if j != "FINRA"]) - {"L-POL-01"}
    assert fired == set(), fired


@pytest.mark.parametrize("preset", ["strict", "balanced", "loose"])
def test_presets_pass_every_lint_in_every_jurisdiction(preset):
    document = preset_document(preset, organization_name="Northwind Robotics")
    # Only the strict preset is written for broker-dealers (FINRA).
    jurisdictions = ALL if preset == "strict" else [j for j in ALL if j != "FINRA"]
    findings = lint_document(document, jurisdictions=jurisdictions)
    assert [(f.lint_id, f.path) for f in findings] == []


def test_registry_has_at_least_fifteen_lints_each_with_source_and_explanation():
    assert len(REGISTRY) >= 15
    for lint in REGISTRY.values():
        assert lint.severity in (ERROR, WARNING, INFO)
        assert lint.sources and all(s.label for s in lint.sources), lint.id
        assert len(lint.explanation) > 60, lint.id
    modules = {lint.check.__module__ for lint in REGISTRY.values()}
    assert modules  # lints are declared per jurisdiction module


def test_jurisdictions_gate_lints():
    document = doc_with("Employees must not make negative remarks about the company.")
    assert "L-NLRA-01" in ids(document, jurisdictions=["US"])
    assert "L-NLRA-01" not in ids(document, jurisdictions=["DE"])
    # No recorded jurisdictions: every lint runs (except sector gates such as FINRA).
    assert "L-NLRA-01" in ids(document, jurisdictions=None)


def test_state_law_raises_the_level_where_the_statute_applies():
    document = doc_with("Avoid posting about politics or religion.")
    levels = {
        j: next(
            f.severity for f in lint_document(document, jurisdictions=j) if f.lint_id == "L-NLRA-14"
        )
        for j in (("US",), ("US", "US-CA"))
    }
    assert levels == {("US",): WARNING, ("US", "US-CA"): ERROR}


def test_a_switched_off_lint_never_runs():
    document = doc_with("Employees must not make negative remarks about the company.")
    assert "L-NLRA-01" not in ids(document, disabled=["L-NLRA-01"])


def test_savings_clause_does_not_cure_and_is_reported_separately():
    document = doc_with("Employees must not make negative remarks about the company.")
    assert {"L-NLRA-01", "L-NLRA-15"} <= ids(document)


def test_missing_rights_sections_are_reported_and_fixed_by_appending():
    document = doc_with(
        "Do not share trade secrets such as source code, roadmaps or customer lists."
    )
    del document["sections"]["your_rights"]
    for rule in document["rules"]:
        if rule["id"] == "guidance.working_conditions":
            rule["enabled"] = False
    findings = {f.lint_id: f for f in lint_document(document, jurisdictions=["US", "US-CA"])}
    assert {"L-FED-01", "L-FED-02", "L-POL-03"} <= set(findings)
    fixed = apply_fix(document, findings["L-FED-01"].apply)
    assert "1833(b)" in fixed["sections"]["your_rights"]
    assert "L-FED-01" not in ids(fixed, jurisdictions=["US", "US-CA"])


def test_monitoring_without_notice_is_an_error_in_new_york_and_a_note_elsewhere():
    document = doc_with(
        "Do not share trade secrets such as source code, roadmaps or customer lists."
    )
    document["sections"]["monitoring"] = (
        "We review employees' public social media posts that mention Acme."
    )
    ny = {f.lint_id: f.severity for f in lint_document(document, jurisdictions=["US", "US-NY"])}
    tx = {f.lint_id: f.severity for f in lint_document(document, jurisdictions=["US", "US-TX"])}
    assert ny["L-ST-04"] == ERROR and tx["L-ST-04"] == INFO
    eu = ids(document, jurisdictions=["EU", "DE"])
    assert {"L-GDPR-05", "L-DE-01"} <= eu


def test_applying_the_suggestion_rewrites_only_the_flagged_sentence():
    text = "Be kind. Employees must not make negative remarks about the company. Thanks."
    document = doc_with(text)
    finding = next(
        f for f in lint_document(document, jurisdictions=["US"]) if f.lint_id == "L-NLRA-01"
    )
    fixed = apply_fix(document, finding.apply)
    new_text = next(r["text"] for r in fixed["rules"] if r["id"] == "customer.negative")
    assert new_text.startswith("Be kind. Do not post statements about Acme Robotics")
    assert new_text.endswith("working conditions. Thanks.")
    assert "L-NLRA-01" not in ids(fixed, jurisdictions=["US"])


def test_a_suggestion_for_text_that_changed_meanwhile_is_refused():
    document = doc_with("Employees must not make negative remarks about the company.")
    finding = next(
        f for f in lint_document(document, jurisdictions=["US"]) if f.lint_id == "L-NLRA-01"
    )
    changed = copy.deepcopy(document)
    for rule in changed["rules"]:
        if rule["id"] == "customer.negative":
            rule["text"] = "Something else entirely."
    with pytest.raises(FixError):
        apply_fix(changed, finding.apply)


def test_config_lints_fire_on_switches_and_entity_lists():
    document = preset_document("balanced", organization_name="Acme Robotics")
    for rule in document["rules"]:
        if rule["id"] == "conduct.profanity":
            rule["severity"] = "high"
        if rule["id"] == "disclosure.employment":
            rule["enabled"] = False
        if rule["id"] in ("conduct.harassment", "conduct.threats"):
            rule["enabled"] = False
    document["entities"] = {"codenames": ["Union drive"]}
    fired = ids(normalize_document(document))
    assert {"L-RSP-04", "L-FTC-01", "L-NLRA-16", "L-EEO-01"} <= fired
    finding = next(
        f for f in lint_document(document, jurisdictions=["US"]) if f.lint_id == "L-RSP-04"
    )
    fixed = apply_fix(document, finding.apply)
    assert "L-RSP-04" not in ids(fixed, jurisdictions=["US"])


def test_listed_company_gets_sec_lints_only_with_a_ticker():
    document = preset_document("balanced", organization_name="Acme Robotics")
    for rule in document["rules"]:
        if rule["id"] == "securities.mnpi":
            rule["enabled"] = False
    assert "L-SEC-01" not in ids(document, jurisdictions=["US"])
    document["organization"]["ticker"] = "ACME"
    assert "L-SEC-01" in ids(document, jurisdictions=["US"])


def test_every_finding_serializes_with_its_sources():
    document = doc_with("Employees must not make negative remarks about the company.")
    payload = [f.to_dict() for f in lint_document(document, jurisdictions=["US"])]
    first = payload[0]
    assert first["lint_id"] == "L-NLRA-01" and first["severity"] == ERROR
    assert first["field"].endswith(".text") and first["can_apply"] is True
    assert any("Stericycle" in s["label"] for s in first["sources"])


def test_applying_a_model_rule_never_leaves_the_rule_saying_it_twice():
    """Issue 17: the author's rule already said the pay carve-out; the model rule appended by
    "Apply suggestion" said it again."""
    text = "Be kind. Employees must not make negative remarks about the company. Thanks."
    document = doc_with(text)
    finding = next(
        f for f in lint_document(document, jurisdictions=["US"]) if f.lint_id == "L-NLRA-01"
    )
    model = finding.apply["text"]
    repeated = model.split(". ")[-1]  # the author already wrote the model's last sentence
    document = doc_with(f"Be kind. {repeated} Employees must not make negative remarks about "
                        "the company. Thanks.")
    fixed = apply_fix(document, finding.apply)  # offsets moved: applied by the excerpt
    new_text = next(r["text"] for r in fixed["rules"] if r["id"] == "customer.negative")
    assert new_text.count(repeated.rstrip(".")) == 1
    assert new_text.startswith("Be kind.") and new_text.endswith("Thanks.")
