from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chorus.policy.models import Policy, PolicyVersion
from chorus.policy.services import (
    policy_create_from_preset,
    policy_version_create_draft,
    policy_version_export_yaml,
    policy_version_publish,
)

pytestmark = pytest.mark.django_db

NEGATIVE = "Employees must not make negative remarks about the company."


@pytest.fixture
def draft(org, comms) -> PolicyVersion:
    return policy_create_from_preset(
        organization=org, actor=comms, preset="balanced", title="Social media policy"
    )


@pytest.fixture
def published(draft, legal) -> PolicyVersion:
    return policy_version_publish(
        version=draft, actor=legal, material=True, change_summary="First version"
    )


def editor_post(version: PolicyVersion, **changes) -> dict:
    """The editor's form as the browser sends it, with `changes` applied."""
    data = {
        "lock_version": str(version.lock_version),
        "title": version.document.get("title", ""),
        "preset": version.document["preset"],
        "org_name": version.document["organization"]["name"],
    }
    for i, rule in enumerate(version.document["rules"]):
        data[f"rule-{i}-present"] = "1"
        if rule.get("enabled"):
            data[f"rule-{i}-enabled"] = "on"
        for key in ("severity", "title", "text", "rationale"):
            data[f"rule-{i}-{key}"] = rule.get(key, "")
    for key, text in version.document.get("sections", {}).items():
        data[f"section-{key}"] = text
    data.update(changes)
    return data


def test_author_creates_a_draft_from_a_preset(client_for, comms):
    client = client_for(comms)
    page = client.get(reverse("policy:new"))
    assert page.status_code == 200 and b"Balanced" in page.content

    response = client.post(
        reverse("policy:new"), {"title": "Social media policy", "preset": "strict"}
    )

    version = PolicyVersion.objects.get()
    assert response.url == reverse("policy:version-edit", args=[version.pk])
    assert version.document["preset"] == "strict"


def test_editor_shows_rules_and_a_clean_lint_panel(client_for, comms, draft):
    page = client_for(comms).get(reverse("policy:version-edit", args=[draft.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert 'name="rule-3-text"' in content and "No findings" in content
    assert f'hx-post="{reverse("policy:version-lint", args=[draft.pk])}"' in content


def test_live_lint_returns_the_finding_with_source_and_suggestion(client_for, comms, draft):
    response = client_for(comms).post(
        reverse("policy:version-lint", args=[draft.pk]),
        editor_post(draft, **{"rule-3-text": NEGATIVE}),
        HTTP_HX_REQUEST="true",
    )
    content = response.content.decode()
    assert response.status_code == 200 and "<html" not in content
    assert "L-NLRA-01" in content and "Stericycle" in content
    assert "Apply suggestion" in content and 'value="L-NLRA-01@rules[3].text"' in content
    draft.refresh_from_db()
    assert NEGATIVE not in draft.plain_text()  # linting never saves


def test_live_lint_reports_invalid_input_inline(client_for, comms, draft):
    response = client_for(comms).post(
        reverse("policy:version-lint", args=[draft.pk]),
        editor_post(draft, **{"rule-0-severity": "huge", "rule-1-params": "a: [b"}),
    )
    content = response.content.decode()
    assert "not valid YAML" in content and "rules[0].severity" in content


def test_apply_suggestion_saves_the_rewritten_rule(client_for, comms, draft):
    data = editor_post(draft, **{"rule-3-text": NEGATIVE, "apply": "L-NLRA-01@rules[3].text"})

    response = client_for(comms).post(reverse("policy:version-edit", args=[draft.pk]), data)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.document["rules"][3]["text"].startswith(
        "Do not post statements about Northwind Robotics"
    )


def test_second_save_with_a_stale_version_is_refused_and_keeps_the_input(
    client_for, comms, legal, draft
):
    client_for(legal).post(
        reverse("policy:version-edit", args=[draft.pk]),
        editor_post(draft, **{"rule-3-text": "Legal's wording, for example this."}),
    )
    client = client_for(comms)
    response = client.post(
        reverse("policy:version-edit", args=[draft.pk]),
        editor_post(draft, **{"rule-3-text": "Comms wording, for example that."}),
    )

    content = response.content.decode()
    assert response.status_code == 409
    assert "saved this draft" in content and "Comms wording, for example that." in content
    assert "Open the saved version in a new tab" in content
    draft.refresh_from_db()
    assert draft.document["rules"][3]["text"] == "Legal's wording, for example this."


def test_empty_rule_text_is_refused_with_a_field_error(client_for, comms, draft):
    response = client_for(comms).post(
        reverse("policy:version-edit", args=[draft.pk]), editor_post(draft, **{"rule-3-text": "  "})
    )
    assert response.status_code == 422
    assert "switch the rule off" in response.content.decode()


def test_published_version_cannot_be_edited_through_the_editor(client_for, comms, published):
    response = client_for(comms).post(
        reverse("policy:version-edit", args=[published.pk]), editor_post(published)
    )
    assert response.status_code == 302
    assert response.url == reverse("policy:version-detail", args=[published.pk])
    published.refresh_from_db()
    assert published.hash_matches()


def test_publish_page_marks_material_and_publishes(client_for, legal, draft):
    client = client_for(legal)
    page = client.get(reverse("policy:version-publish", args=[draft.pk]))
    assert page.status_code == 200 and b"Publish version 1" in page.content

    response = client.post(
        reverse("policy:version-publish", args=[draft.pk]),
        {"material": "on", "change_summary": "First version", "confirm_audience": "0",
         "acknowledge_lint_warnings": "on"},
    )

    assert response.url == reverse("policy:current")
    draft.refresh_from_db()
    assert draft.status == "published" and draft.material is True


def test_employee_reads_the_published_policy_and_cannot_author(client_for, employee, published):
    client = client_for(employee)
    assert client.get(reverse("policy:index")).url == reverse("policy:current")
    page = client.get(reverse("policy:current"))
    content = page.content.decode()
    assert page.status_code == 200 and 'class="document"' in content
    assert "What we ask of you" in content and published.content_hash[:12] in content
    assert client.get(reverse("policy:new")).status_code == 403
    assert client.get(reverse("policy:lints")).status_code == 403


def test_employee_sees_a_helpful_empty_state_before_publication(client_for, employee):
    page = client_for(employee).get(reverse("policy:current"))
    assert b"No policy has been published yet" in page.content


def test_another_organizations_policy_is_not_found(client_for, outsider, draft):
    client = client_for(outsider)
    for name in (
        "policy:version-detail",
        "policy:version-edit",
        "policy:version-publish",
        "policy:version-export",
        "policy:version-diff",
    ):
        assert client.get(reverse(name, args=[draft.pk])).status_code == 404, name
    assert client.get(reverse("policy:policy-detail", args=[draft.policy_id])).status_code == 404
    assert client.post(reverse("policy:version-lint", args=[draft.pk]), {}).status_code == 404


def test_policy_list_query_count_does_not_grow_with_versions(
    client_for, comms, legal, org, django_assert_max_num_queries
):
    for n in range(3):
        version = policy_create_from_preset(
            organization=org, actor=comms, preset="balanced", title=f"Policy {n}"
        )
        if n == 0:
            version = policy_version_publish(version=version, actor=legal, material=True)
            policy_version_create_draft(version=version, actor=comms)
    client = client_for(comms)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("policy:index"))
    assert page.status_code == 200 and b"Policy 2" in page.content


def test_diff_shows_word_level_changes_side_by_side(client_for, comms, published):
    draft = policy_version_create_draft(version=published, actor=comms)
    client = client_for(comms)
    client.post(
        reverse("policy:version-edit", args=[draft.pk]),
        editor_post(
            draft, **{"rule-3-text": "Do not insult or mock our valued customers by name."}
        ),
    )

    page = client.get(reverse("policy:version-diff", args=[draft.pk]))

    content = page.content.decode()
    assert "<ins>valued </ins>customers" in content
    assert "<del>or their people </del>by name" in content
    assert "consider marking them" in content

    published_now = policy_version_publish(version=draft, actor=comms, material=True,
                                           change_summary="Customers wording")
    after = client.get(reverse("policy:version-diff", args=[published_now.pk])).content.decode()
    assert "consider marking them" not in after
    assert "published as a <strong>material change</strong>" in after


def test_yaml_export_and_upload_import(client_for, comms, published):
    client = client_for(comms)
    exported = client.get(reverse("policy:version-export", args=[published.pk]))
    assert exported["Content-Type"].startswith("application/yaml")
    assert exported.content.decode() == policy_version_export_yaml(published)

    upload = SimpleUploadedFile("policy.yaml", exported.content, content_type="application/yaml")
    response = client.post(reverse("policy:import"), {"title": "Imported", "file": upload})

    imported = PolicyVersion.objects.get(origin="import")
    assert response.url == reverse("policy:version-edit", args=[imported.pk])
    assert imported.document == published.document


def test_pasted_yaml_with_an_unknown_key_names_the_line_and_creates_nothing(client_for, comms):
    before = Policy.objects.count()
    response = client_for(comms).post(
        reverse("policy:import"),
        {
            "yaml": "organization:\n  name: Acme\npreset: balanced\ncolour: blue\n",
        },
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Line 4" in content and "unknown key" in content and "colour" in content
    assert Policy.objects.count() == before


def test_lint_catalog_lists_sources_and_switches_lints_off(client_for, legal, org):
    client = client_for(legal)
    page = client.get(reverse("policy:lints"))
    assert b"L-NLRA-01" in page.content and b"Stericycle" in page.content

    from chorus.policy.lints import REGISTRY

    enabled = [lint_id for lint_id in REGISTRY if lint_id != "L-NLRA-04"]
    client.post(reverse("policy:lints"), {"enabled": enabled})

    from chorus.policy.selectors import disabled_lints_for

    assert disabled_lints_for(organization=org) == ["L-NLRA-04"]


def test_dashboard_card_shows_drafts_with_lint_counts(client_for, comms, draft):
    page = client_for(comms).get(reverse("dashboard"))
    assert b"Social media policy v1" in page.content and b"lint clean" in page.content


def test_lints_page_searches_and_filters_by_jurisdiction_without_losing_settings(
        client_for, comms, org):
    from chorus.policy.lints import REGISTRY
    from chorus.policy.selectors import disabled_lints_for

    client = client_for(comms)
    first = next(iter(REGISTRY.values()))
    page = client.get(reverse("policy:lints"), {"q": first.id}).content.decode()
    assert f"<code>{first.id}</code>" in page and "lints match" in page
    eu = client.get(reverse("policy:lints"), {"jurisdiction": "EU"}).content.decode()
    assert all(f"<code>{i}</code>" not in eu for i, lint in REGISTRY.items()
               if "EU" not in lint.jurisdictions)
    # Saving a filtered view keeps every hidden lint switched on: they travel as hidden inputs.
    other = next(i for i in REGISTRY if i != first.id)
    assert f'<input type="hidden" name="enabled" value="{other}">' in page
    assert disabled_lints_for(organization=org) == []
def test_uploaded_yaml_with_aliases_is_refused_in_the_form(client_for, comms):
    bomb = "a0: &a0 [lol, lol]\na1: &a1 [*a0, *a0]\nentities:\n  customers: *a1\n"
    upload = SimpleUploadedFile("bomb.yaml", bomb.encode(), content_type="application/yaml")
    response = client_for(comms).post(reverse("policy:import"), {"file": upload})
    assert response.status_code == 200
    assert "anchors and aliases" in response.content.decode()
    assert Policy.objects.count() == 0
