from __future__ import annotations

import copy
import json

import pytest

from chorus.policy.models import Policy, PolicyVersion
from chorus.policy.services import policy_create_from_preset, policy_version_publish

pytestmark = pytest.mark.django_db

BASE = "/api/v1/policies"


def post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def put(client, url: str, body: dict):
    return client.put(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def draft(org, comms) -> PolicyVersion:
    return policy_create_from_preset(
        organization=org, actor=comms, preset="balanced", title="Social media policy"
    )


def test_create_list_get_update_and_publish(api_client, comms, legal):
    client = api_client(comms)
    created = post(client, f"{BASE}/", {"title": "Social media policy", "preset": "loose"})
    assert created.status_code == 201, created.content
    version = created.json()
    assert (version["number"], version["status"], version["lock_version"]) == (1, "draft", 1)

    listed = client.get(f"{BASE}/").json()
    assert [(p["title"], [v["status"] for v in p["versions"]]) for p in listed] == [
        ("Social media policy", ["draft"])
    ]
    assert client.get(f"{BASE}/{version['policy_id']}").json()["id"] == version["policy_id"]

    document = copy.deepcopy(version["document"])
    document["entities"] = {"competitors": ["Initech"]}
    updated = put(
        client, f"{BASE}/versions/{version['id']}", {"document": document, "lock_version": 1}
    )
    assert updated.status_code == 200 and updated.json()["lock_version"] == 2

    published = post(
        api_client(legal), f"{BASE}/versions/{version['id']}/publish",
        {"material": True, "change_summary": "First version", "confirm_audience": 0,
         "acknowledge_lint_warnings": True},
    )
    assert published.status_code == 200
    body = published.json()
    assert body["status"] == "published" and len(body["content_hash"]) == 64
    assert client.get(f"{BASE}/current").json()["id"] == version["id"]


def test_stale_lock_version_is_a_409_with_a_clear_message(api_client, comms, legal, draft):
    document = draft.document
    assert (
        put(
            api_client(comms),
            f"{BASE}/versions/{draft.pk}",
            {"document": document, "lock_version": 1},
        ).status_code
        == 200
    )

    stale = put(
        api_client(legal), f"{BASE}/versions/{draft.pk}", {"document": document, "lock_version": 1}
    )

    assert stale.status_code == 409
    assert "after you opened it" in stale.json()["detail"]


def test_unknown_keys_in_a_document_are_a_422_naming_the_field(api_client, comms, draft):
    document = copy.deepcopy(draft.document)
    document["rules"][0]["colour"] = "red"
    response = put(
        api_client(comms), f"{BASE}/versions/{draft.pk}", {"document": document, "lock_version": 1}
    )
    assert response.status_code == 422
    assert (
        response.json()["field"] == "rules[0].colour" and "unknown key" in response.json()["detail"]
    )


def test_invalid_yaml_import_is_a_422_with_the_line(api_client, comms):
    response = post(
        api_client(comms), f"{BASE}/import", {"yaml": "organization:\n  name: Acme\npreset: [\n"}
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Line ")
    assert Policy.objects.count() == 0


def test_yaml_import_with_unknown_key_is_a_422(api_client, comms):
    response = post(
        api_client(comms),
        f"{BASE}/import",
        {"yaml": "organization:\n  name: Acme\npreset: balanced\nrulez: []\n"},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "rulez" and "Line 4" in response.json()["detail"]


def test_export_then_import_round_trips(api_client, comms, draft):
    client = api_client(comms)
    exported = client.get(f"{BASE}/versions/{draft.pk}/export")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("application/yaml")

    imported = post(client, f"{BASE}/import", {"yaml": exported.content.decode(), "title": "Copy"})

    assert imported.status_code == 201
    assert imported.json()["document"] == draft.document


def test_publishing_an_empty_policy_is_a_422(api_client, comms, draft):
    client = api_client(comms)
    document = copy.deepcopy(draft.document)
    for rule in document["rules"]:
        rule["enabled"] = False
    put(client, f"{BASE}/versions/{draft.pk}", {"document": document, "lock_version": 1})

    response = post(client, f"{BASE}/versions/{draft.pk}/publish", {"material": True})

    assert response.status_code == 422 and "no rules switched on" in response.json()["detail"]


def test_editing_a_published_version_is_a_409(api_client, comms, legal, draft):
    published = policy_version_publish(version=draft, actor=legal, material=True)
    response = put(
        api_client(comms),
        f"{BASE}/versions/{published.pk}",
        {"document": published.document, "lock_version": published.lock_version},
    )
    assert response.status_code == 409 and "Start a new draft" in response.json()["detail"]


def test_another_organizations_policy_is_a_404(api_client, outsider, draft):
    client = api_client(outsider)
    assert client.get(f"{BASE}/versions/{draft.pk}").status_code == 404
    assert client.get(f"{BASE}/{draft.policy_id}").status_code == 404
    assert (
        put(
            client, f"{BASE}/versions/{draft.pk}", {"document": draft.document, "lock_version": 1}
        ).status_code
        == 404
    )
    assert (
        post(client, f"{BASE}/versions/{draft.pk}/publish", {"material": True}).status_code == 404
    )
    assert client.get(f"{BASE}/versions/{draft.pk}/export").status_code == 404
    assert client.get(f"{BASE}/").json() == []


def test_employees_read_the_current_policy_but_cannot_author(api_client, employee, legal, draft):
    client = api_client(employee)
    assert client.get(f"{BASE}/current").status_code == 404
    policy_version_publish(version=draft, actor=legal, material=True)
    assert client.get(f"{BASE}/current").status_code == 200
    assert client.get(f"{BASE}/").status_code == 403
    assert post(client, f"{BASE}/", {"title": "Mine", "preset": "loose"}).status_code == 403


def test_lint_endpoint_returns_findings_with_sources(api_client, comms, draft):
    client = api_client(comms)
    yaml_text = (
        "organization:\n  name: Acme\npreset: balanced\nrules:\n  - id: customer.negative\n"
        "    text: Never post negative comments about the company.\n"
    )
    response = post(client, f"{BASE}/lint", {"yaml": yaml_text, "jurisdictions": ["US", "US-CA"]})
    body = response.json()
    assert response.status_code == 200 and body["counts"]["error"] >= 1
    finding = next(f for f in body["findings"] if f["lint_id"] == "L-NLRA-01")
    assert finding["field"] == "rules[0].text" and finding["sources"][0]["url"].startswith("http")
    clean = client.get(f"{BASE}/versions/{draft.pk}/lint").json()
    assert clean["counts"] == {"error": 0, "warning": 0, "info": 0}


def test_create_draft_from_a_version(api_client, comms, legal, draft):
    published = policy_version_publish(version=draft, actor=legal, material=True)
    response = post(api_client(comms), f"{BASE}/", {"from_version_id": published.pk})
    assert response.status_code == 201
    assert (response.json()["number"], response.json()["previous_id"]) == (2, published.pk)


def test_openapi_documents_the_policy_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/policies/",
        "/api/v1/policies/import",
        "/api/v1/policies/lint",
        "/api/v1/policies/versions/{version_id}/publish",
    } <= paths
    assert "PolicyVersionOut" in schema["components"]["schemas"]


# ---------------------------------------------------------------- hostile YAML (issue 11, item 3)

ALIAS_BOMB = "\n".join(
    ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    + ["schema: 1", "title: bomb", "entities:", "  customers: *a8"]
)


@pytest.mark.parametrize(
    "text",
    [
        ALIAS_BOMB,
        "schema: 1\ntitle: x\nrules: &x [*x]\n",
        "rules: " + "[" * 900 + "]" * 900,
    ],
)
@pytest.mark.parametrize("endpoint", ["import", "lint"])
def test_alias_bombs_and_deep_nesting_are_a_422_not_a_500(api_client, comms, endpoint, text):
    response = post(api_client(comms), f"{BASE}/{endpoint}", {"yaml": text})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "aliases are not allowed" in detail or "nested more than" in detail
    assert Policy.objects.count() == 0
