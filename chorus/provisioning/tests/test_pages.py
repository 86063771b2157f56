"""The SCIM settings page: administrators only, the secret shown once and stored hashed."""

from __future__ import annotations

import hashlib
import re

import pytest

from chorus.audit.models import AuditEntry
from chorus.provisioning.models import ScimToken
from chorus.provisioning.tests.conftest import ScimClient

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_token_shown_once_and_revokes_it(scim_org, admin, client_for):
    client = client_for(admin)
    page = client.post("/provisioning/scim/", {"name": "Okta"}).content.decode()
    secret = re.search(r"scim_[A-Za-z0-9_-]{20,}", page).group(0)
    token = ScimToken.objects.get()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in client.get("/provisioning/scim/").content.decode()
    assert ScimClient(secret)("GET", "Users").status_code == 200
    assert "http://testserver/scim/v2" in page

    client.post(f"/provisioning/scim/tokens/{token.pk}/revoke/")
    assert ScimClient(secret)("GET", "Users").status_code == 401
    assert {"provisioning.scim_token_created", "provisioning.scim_token_revoked"} <= set(
        AuditEntry.objects.values_list("action", flat=True))
    assert secret not in str(list(AuditEntry.objects.values_list("data", flat=True)))


def test_only_admins_of_the_organization_manage_tokens(scim_org, admin, hr, outsider,
                                                       client_for):
    assert client_for(hr).get("/provisioning/scim/").status_code == 403
    assert client_for(hr).post("/provisioning/scim/", {"name": "x"}).status_code == 403
    client_for(admin).post("/provisioning/scim/", {"name": "Okta"})
    token = ScimToken.objects.get()
    assert client_for(outsider).post(f"/provisioning/scim/tokens/{token.pk}/revoke/"
                                     ).status_code == 404
    assert ScimToken.objects.get().is_active


def test_an_empty_name_is_refused_on_the_form(scim_org, admin, client_for):
    page = client_for(admin).post("/provisioning/scim/", {"name": "  "})
    assert page.status_code == 200 and not ScimToken.objects.exists()
