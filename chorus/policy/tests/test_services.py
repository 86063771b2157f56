from __future__ import annotations

import copy

import pytest

from chorus.audit.models import AuditEntry
from chorus.common.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from chorus.policy import hooks
from chorus.policy.models import PolicyVersion, PolicyVersionEvent, document_hash
from chorus.policy.selectors import policy_version_current, screening_policy_for
from chorus.policy.services import (
    PolicyDocumentInvalid,
    policy_create_from_preset,
    policy_import_yaml,
    policy_version_apply_suggestion,
    policy_version_create_draft,
    policy_version_export_yaml,
    policy_version_publish,
    policy_version_update,
)

pytestmark = pytest.mark.django_db

NEGATIVE = "Employees must not make negative remarks about the company."


def make_draft(
    *, org, actor, preset: str = "balanced", title: str = "Social media policy"
) -> PolicyVersion:
    return policy_create_from_preset(organization=org, actor=actor, preset=preset, title=title)


def with_rule_text(document: dict, rule_id: str, text: str) -> dict:
    document = copy.deepcopy(document)
    for rule in document["rules"]:
        if rule["id"] == rule_id:
            rule["text"] = text
    return document


def test_a_preset_draft_is_complete_and_names_the_organization(org, comms):
    draft = make_draft(org=org, actor=comms)

    assert (draft.number, draft.status, draft.origin) == (1, "draft", "preset:balanced")
    assert draft.document["organization"]["name"] == "Northwind Robotics"
    assert len(draft.document["rules"]) >= 15
    text = draft.plain_text()
    for phrase in (
        "views are my own",
        "say in the post that you work here",
        "confidential",
        "customers",
        "competition",
        "harassment",
        "personal data",
        "passwords",
        "official statement",
        "guaranteed returns",
        "working conditions",
    ):
        assert phrase.lower() in text.lower(), phrase
    assert AuditEntry.objects.filter(organization=org, action="policy.created").count() == 1


def test_employees_cannot_author_policies(org, employee):
    with pytest.raises(PermissionDenied):
        make_draft(org=org, actor=employee)


def test_saving_a_draft_bumps_the_lock_version(org, comms):
    draft = make_draft(org=org, actor=comms)
    document = with_rule_text(
        draft.document, "customer.negative", "Do not mock customers, for example by name."
    )

    saved = policy_version_update(version=draft, actor=comms, document=document, lock_version=1)

    assert saved.lock_version == 2
    assert "for example by name" in saved.plain_text()


def test_the_second_of_two_concurrent_saves_is_refused_and_changes_nothing(org, comms, legal):
    draft = make_draft(org=org, actor=comms)
    first = with_rule_text(
        draft.document, "customer.negative", "First author's wording, such as this."
    )
    second = with_rule_text(
        draft.document, "customer.negative", "Second author's wording, such as that."
    )
    policy_version_update(version=draft, actor=comms, document=first, lock_version=1)

    with pytest.raises(Conflict) as exc:
        policy_version_update(version=draft, actor=legal, document=second, lock_version=1)

    assert "Comms saved this draft" in exc.value.message and "not saved" in exc.value.message
    draft.refresh_from_db()
    assert "First author's wording" in draft.plain_text() and draft.lock_version == 2


def test_an_invalid_document_is_refused_with_its_field(org, comms):
    draft = make_draft(org=org, actor=comms)
    document = copy.deepcopy(draft.document)
    document["rules"][0]["severity"] = "huge"

    with pytest.raises(PolicyDocumentInvalid) as exc:
        policy_version_update(version=draft, actor=comms, document=document, lock_version=1)

    assert exc.value.field == "rules[0].severity"
    draft.refresh_from_db()
    assert draft.lock_version == 1


def test_publishing_freezes_the_version_with_a_verifiable_hash(
    org, comms, legal, django_capture_on_commit_callbacks
):
    draft = make_draft(org=org, actor=comms)
    seen = []
    hooks.register_publish_hook(seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            version = policy_version_publish(
                version=draft, actor=legal, material=True, change_summary="First"
            )
    finally:
        hooks.unregister_publish_hook(seen.append)

    assert version.status == "published" and version.published_by == legal
    assert version.content_hash == document_hash(version.document) and version.hash_matches()
    assert seen == [version]
    assert policy_version_current(organization=org) == version
    assert AuditEntry.objects.filter(action="policy.published", target_id=str(version.pk)).exists()
    with pytest.raises(Conflict, match="can no longer be changed"):
        policy_version_update(
            version=version,
            actor=comms,
            document=version.document,
            lock_version=version.lock_version,
        )


def test_publishing_retires_the_version_in_force_and_records_both_events(org, comms, legal):
    first = policy_version_publish(
        version=make_draft(org=org, actor=comms), actor=legal, material=True
    )
    second_draft = policy_version_create_draft(version=first, actor=comms)

    second = policy_version_publish(
        version=second_draft, actor=legal, material=False, change_summary="Typos"
    )

    first.refresh_from_db()
    assert (first.status, second.status, second.previous) == ("retired", "published", first)
    assert list(
        PolicyVersionEvent.objects.filter(version=first).values_list("to_status", flat=True)
    ) == [
        "draft",
        "published",
        "retired",
    ]
    assert second.material is False and second.change_summary == "Typos"


def test_an_empty_policy_cannot_be_published(org, comms):
    draft = make_draft(org=org, actor=comms)
    document = copy.deepcopy(draft.document)
    for rule in document["rules"]:
        rule["enabled"] = False
    document["sections"] = {}
    draft = policy_version_update(version=draft, actor=comms, document=document, lock_version=1)

    with pytest.raises(InvalidInput) as exc:
        policy_version_publish(version=draft, actor=comms, material=True)

    assert "no rules switched on" in exc.value.message and "no sections" in exc.value.message
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_error_lints_block_publication_until_acknowledged(org, comms, legal):
    draft = make_draft(org=org, actor=comms)
    document = with_rule_text(draft.document, "customer.negative", NEGATIVE)
    draft = policy_version_update(version=draft, actor=comms, document=document, lock_version=1)

    with pytest.raises(InvalidInput, match="L-NLRA-01"):
        policy_version_publish(version=draft, actor=legal, material=True)

    version = policy_version_publish(
        version=draft, actor=legal, material=True, acknowledge_lint_errors=True
    )
    entry = AuditEntry.objects.get(action="policy.published", target_id=str(version.pk))
    assert entry.data["lint_errors_acknowledged"] == ["L-NLRA-01"]


def test_applying_a_suggestion_rewrites_the_rule_and_saves(org, comms):
    draft = make_draft(org=org, actor=comms)
    document = with_rule_text(draft.document, "customer.negative", NEGATIVE)

    version, finding = policy_version_apply_suggestion(
        version=draft,
        actor=comms,
        document=document,
        lock_version=1,
        finding_key="L-NLRA-01@rules[3].text",
    )

    rule = next(r for r in version.document["rules"] if r["id"] == "customer.negative")
    assert finding.lint_id == "L-NLRA-01"
    assert rule["text"].startswith("Do not post statements about Northwind Robotics")
    assert version.lock_version == 2


def test_yaml_export_import_export_is_lossless(org, comms, legal):
    version = policy_version_publish(
        version=make_draft(org=org, actor=comms), actor=legal, material=True
    )
    exported = policy_version_export_yaml(version)

    imported = policy_import_yaml(organization=org, actor=comms, text=exported, title="Copy")

    assert imported.document == version.document
    assert policy_version_export_yaml(imported) == exported
    assert imported.status == "draft" and imported.policy != version.policy


def test_invalid_yaml_names_the_line_and_imports_nothing(org, comms):
    before = PolicyVersion.objects.count()
    bad = "organization:\n  name: Acme\npreset: balanced\nrules:\n  - id: conduct.threats\n    severty: high\n"

    with pytest.raises(PolicyDocumentInvalid) as exc:
        policy_import_yaml(organization=org, actor=comms, text=bad)

    assert exc.value.line == 6 and exc.value.field == "rules[0].severty"
    assert "Line 6" in exc.value.message and "unknown key" in exc.value.message
    assert PolicyVersion.objects.count() == before


def test_broken_yaml_syntax_is_reported_with_its_line(org, comms):
    with pytest.raises(PolicyDocumentInvalid) as exc:
        policy_import_yaml(
            organization=org, actor=comms, text="organization:\n  name: [Acme\npreset: x\n"
        )
    assert exc.value.line is not None and "invalid YAML" in exc.value.message


def test_import_into_another_organizations_policy_is_not_found(org, comms, outsider):
    draft = make_draft(org=org, actor=comms)
    with pytest.raises(NotFound):
        policy_import_yaml(
            organization=outsider.organization,
            actor=outsider,
            text=policy_version_export_yaml(draft),
            policy=draft.policy,
        )


def test_only_one_open_draft_per_policy(org, comms, legal):
    version = policy_version_publish(
        version=make_draft(org=org, actor=comms), actor=legal, material=True
    )
    policy_version_create_draft(version=version, actor=comms)
    with pytest.raises(Conflict, match="already a draft"):
        policy_version_create_draft(version=version, actor=comms)


def test_screening_uses_the_published_policy_or_the_balanced_preset(org, comms, legal):
    assert screening_policy_for(organization=org).preset == "balanced"
    draft = make_draft(org=org, actor=comms, preset="strict")
    policy_version_publish(version=draft, actor=legal, material=True)
    assert screening_policy_for(organization=org).preset == "strict"


def test_a_new_preset_draft_keeps_the_organizations_names_from_the_policy_in_force(
    org, comms, legal
):
    first = make_draft(org=org, actor=comms)
    document = copy.deepcopy(first.document)
    document["organization"]["products"] = ["Skylift"]
    document["entities"] = {"customers": ["Contoso"], "codenames": ["Bluebird"]}
    first = policy_version_update(version=first, actor=comms, document=document, lock_version=1)
    policy_version_publish(version=first, actor=legal, material=True)

    second = make_draft(org=org, actor=comms, preset="strict", title="Stricter policy")

    assert second.document["entities"] == {"customers": ["Contoso"], "codenames": ["Bluebird"]}
    assert second.document["organization"]["products"] == ["Skylift"]
    assert second.document["preset"] == "strict"
