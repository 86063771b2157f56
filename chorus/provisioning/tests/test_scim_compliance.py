"""The python-scim project's compliance tester (scim2-tester) against a live Chorus server:
discovery, then create, read, query, replace, patch and delete of Users and Groups.

Chorus accepts people only on the organization's verified domains (an identity provider
always sends the work address), so the tester's random e-mail addresses and user names are
given the organization's domain; every other value stays the tester's own.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server, filling
from scim2_tester.checkers import patch_add, patch_replace

from chorus.provisioning.services import scim_token_create

FAILING = {Status.ERROR, Status.CRITICAL}
DOMAIN = "northwind.example"
# What the tester makes up for an e-mail address: "<uuid>@<uuid>.com".
RANDOM_ADDRESS = re.compile(r"[0-9a-f-]{36}@[0-9a-f-]{36}\.com")
_original = filling.generate_random_value


def _address() -> str:
    return f"{uuid.uuid4().hex[:12]}@{DOMAIN}"


def _on_our_domain(context: Any, path: Any, *args: Any, **kwargs: Any) -> Any:
    value = _original(context, path, *args, **kwargs)
    name = str(path)
    if value is None:
        return value
    if name.endswith("userName") or name.endswith("emails.value"):
        return [_address()] if isinstance(value, list) else _address()
    if isinstance(value, str) and RANDOM_ADDRESS.fullmatch(value):
        return _address()
    for item in value if isinstance(value, list) else [value]:
        if hasattr(item, "value") and RANDOM_ADDRESS.fullmatch(str(item.value or "")):
            item.value = _address()
    return value


@pytest.fixture
def tester_on_our_domain(monkeypatch):
    for module in (filling, patch_add, patch_replace):
        monkeypatch.setattr(module, "generate_random_value", _on_our_domain)


@pytest.mark.django_db(transaction=True)
def test_scim2_tester_finds_no_error_against_a_live_server(live_server, org, admin,
                                                           tester_on_our_domain):
    org.verified_domains = [DOMAIN]
    org.save(update_fields=["verified_domains"])
    _, secret = scim_token_create(actor=admin, name="scim2-tester")
    with httpx2.Client(base_url=f"{live_server.url}/scim/v2",
                       headers={"Authorization": f"Bearer {secret}"}, timeout=30) as http:
        client = SyncSCIMClient(http)
        results = check_server(client)

    for r in results:
        print(r.status.name, r.resource_type, r.title, "|", (r.reason or "")[:300])
    failures = [r for r in results if r.status in FAILING]
    assert len(results) > 30
    assert not failures, "\n".join(f"{r.title}: {r.reason}" for r in failures)
