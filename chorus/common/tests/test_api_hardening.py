"""The API refuses bad requests with a 4xx that names the problem (never a 500, never a write),
and its OpenAPI schema declares the error bodies it really sends."""

from __future__ import annotations

import json
import re

import pytest

from chorus.people.models import Person

pytestmark = pytest.mark.django_db

HUGE = 2**64 + 1


@pytest.fixture
def schema(client):
    return client.get("/api/v1/openapi.json").json()


def _fill(path: str) -> str:
    return re.sub(r"\{\w+\}", "1", path)


def _json_operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {})
            if "application/json" in body:
                yield method, path


@pytest.mark.parametrize("body", ['"hello"', "[1, 2]", "5", "null", "true"])
def test_every_json_body_must_be_an_object(admin, api_client, schema, body):
    client = api_client(admin)
    operations = list(_json_operations(schema))
    assert len(operations) > 15

    answers = {
        f"{method} {path}": client.generic(
            method.upper(), _fill(path), body, content_type="application/json"
        ).status_code
        for method, path in operations
    }

    assert {k: v for k, v in answers.items() if v != 422} == {}


def test_a_string_body_no_longer_rewrites_a_persons_title(hr, employee, api_client):
    person = Person.objects.get(user=employee)
    title = person.title

    response = api_client(hr).patch(
        f"/api/v1/people/{person.pk}", '"hello"', content_type="application/json"
    )

    assert response.status_code == 422
    assert "JSON object" in json.dumps(response.json())
    person.refresh_from_db()
    assert person.title == title


def _integer_query_params(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for param in operation.get("parameters", []):
                if param["in"] == "query" and param["schema"].get("type") == "integer":
                    yield method, path, param["name"]
                for option in param["schema"].get("anyOf", []):
                    if param["in"] == "query" and option.get("type") == "integer":
                        yield method, path, param["name"]


def test_integer_query_parameters_are_bounded_on_every_route(admin, api_client, schema):
    client = api_client(admin)
    params = list(_integer_query_params(schema))
    assert {"offset", "limit", "campaign_id", "days"} <= {name for _, _, name in params}

    for method, path, name in params:
        for value in (-1, HUGE):
            response = client.generic(method.upper(), f"{_fill(path)}?{name}={value}")
            assert response.status_code == 422, (path, name, value, response.content)
            assert response.json()["detail"][0]["loc"][-1] == name


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/reports?offset=-1",
        "/api/v1/people?offset=99999999999999999999",
        "/api/v1/onboarding/assignments?campaign_id=99999999999999999999",
        "/api/v1/onboarding/attestations?offset=1030600200224684769280",
    ],
)
def test_the_reviewed_query_crashes_are_422(admin, api_client, url):
    assert api_client(admin).get(url).status_code == 422


def test_integer_ids_in_bodies_are_bounded(hr, employee, api_client):
    person = Person.objects.get(user=employee)
    response = api_client(hr).patch(
        f"/api/v1/people/{person.pk}",
        json.dumps({"manager_id": HUGE}),
        content_type="application/json",
    )
    assert response.status_code == 422


@pytest.mark.parametrize("network", ["", "foo"])
def test_consent_for_an_unknown_network_is_422_with_the_field(employee, api_client, network):
    response = api_client(employee).get(f"/api/v1/monitoring/consent?network={network}")

    assert response.status_code == 422
    assert response.json()["field"] == "network"
    assert "mastodon" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/v1/check"),
        ("patch", "/api/v1/people/1"),
        ("post", "/api/v1/reports"),
        ("post", "/api/v1/policies/lint"),
    ],
)
def test_a_body_over_the_upload_limit_is_413_with_the_limit(
    admin, api_client, settings, method, url
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"text": "a" * 2000})

    response = api_client(admin).generic(method.upper(), url, body, content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "1,000 bytes" in response.json()["detail"]


def test_an_unknown_api_url_is_a_json_404(admin, api_client):
    response = api_client(admin).get("/api/v1/people/-1")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_the_schema_declares_the_error_bodies_of_every_operation(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "403", "404", "409", "413", "422"} <= codes, (method, path)
    unprocessable = schema["components"]["schemas"]["UnprocessableOut"]
    shapes = unprocessable["properties"]["detail"]["anyOf"]
    assert {"type": "string"} in shapes and any(s.get("type") == "array" for s in shapes)
    error = schema["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"detail", "field"}


def test_real_error_bodies_match_the_declared_shapes(admin, api_client, schema):
    from django.test import Client

    from chorus.common.api import ErrorOut, UnprocessableOut

    def check(response, model):
        body = response.json()
        declared = schema["components"]["schemas"][model.__name__]["properties"]
        assert set(body) <= set(declared), body
        model.model_validate(body)

    client = api_client(admin)
    # A domain error: detail is a string and field names the input.
    check(client.post("/api/v1/policies/", "{}", content_type="application/json"), UnprocessableOut)
    # A schema error: detail is django-ninja's list.
    invalid = client.post(
        "/api/v1/policies/lint", json.dumps({"yaml": 5}), content_type="application/json"
    )
    assert isinstance(invalid.json()["detail"], list)
    check(invalid, UnprocessableOut)
    check(client.get("/api/v1/people/999999"), ErrorOut)
    check(Client().get("/api/v1/me"), ErrorOut)


def test_an_unknown_api_url_is_a_json_404_for_a_logged_in_browser_too(client_for, admin):
    client = client_for(admin)  # a session cookie and no CSRF token: still JSON, not HTML
    client.get("/")

    response = client.post("/api/v1/policies/versions/null,null/publish")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_the_yaml_export_declares_its_content_type(schema):
    operation = schema["paths"]["/api/v1/policies/versions/{version_id}/export"]["get"]

    assert list(operation["responses"]["200"]["content"]) == ["application/yaml"]


def test_the_api_token_command_prints_a_working_token(admin, client):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("api_token", admin.email, "--name", "fuzz", stdout=out)

    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")
    assert response.json()["email"] == admin.email


def test_a_multipart_body_without_a_boundary_is_a_400(hr, api_client):
    response = api_client(hr).post(
        "/api/v1/people/import", b"x", content_type="multipart/form-data"
    )

    assert response.status_code == 400
    assert "boundary" in response.json()["detail"]
