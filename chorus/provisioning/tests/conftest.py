"""Fixtures for SCIM: an organization with verified domains, its SCIM token, and a client
that speaks SCIM (bearer token, application/scim+json)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from chorus.provisioning.services import scim_token_create

DOMAIN = "northwind.example"


@pytest.fixture
def scim_org(org):
    org.verified_domains = [DOMAIN, "northwind-robotics.example"]
    org.save(update_fields=["verified_domains"])
    return org


@pytest.fixture
def scim_secret(scim_org, admin) -> str:
    return scim_token_create(actor=admin, name="Okta")[1]


@pytest.fixture
def other_secret(other_org, outsider) -> str:
    other_org.verified_domains = ["globex.example"]
    other_org.save(update_fields=["verified_domains"])
    return scim_token_create(actor=outsider, name="Entra ID")[1]


class ScimClient:
    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.client = Client()

    def __call__(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
                 headers: dict[str, str] | None = None) -> Any:
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        extra = {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"} if self.secret else {}
        for name, value in (headers or {}).items():
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        response = self.client.generic(method, path if path.startswith("/") else
                                       f"/scim/v2/{path}", data,
                                       content_type="application/scim+json", **extra)
        response.body = json.loads(response.content) if response.content else None
        return response


@pytest.fixture
def scim(scim_secret) -> ScimClient:
    return ScimClient(scim_secret)


@pytest.fixture
def other_scim(other_secret) -> ScimClient:
    return ScimClient(other_secret)


def user_body(user_name: str = f"emery@{DOMAIN}", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": {"givenName": "Emery", "familyName": "Lee"},
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "active": True,
    }
    body.update(extra)
    return body


make_user_body: Callable[..., dict[str, Any]] = user_body
