"""The shared test cast: one organization (Northwind) with a person per role, and an outsider
from another organization. Tests build other data with keyword-only `make_*` helpers."""

from __future__ import annotations

import pytest

from chorus.people.models import Organization, Person, User
from chorus.people.roles import Role
from chorus.people.services import organization_create, person_create, user_create

PASSWORD = "correct-horse-battery-staple"


def make_member(
    *,
    org: Organization,
    key: str,
    roles: list[str],
    department: str = "Engineering",
    manager: Person | None = None,
) -> User:
    user = user_create(
        organization=org,
        email=f"{key}@{org.slug}.example",
        full_name=key.replace("_", " ").title(),
        password=PASSWORD,
        roles=roles,
    )
    person_create(
        organization=org,
        full_name=user.full_name,
        email=user.email,
        department=department,
        manager=manager,
        user=user,
    )
    return user


@pytest.fixture
def org(db) -> Organization:
    return organization_create(name="Northwind Robotics", jurisdictions=["US", "US-CA"])


@pytest.fixture
def other_org(db) -> Organization:
    return organization_create(name="Globex", jurisdictions=["US"])


@pytest.fixture
def admin(org) -> User:
    return make_member(org=org, key="admin", roles=[Role.ADMIN], department="Operations")


@pytest.fixture
def comms(org) -> User:
    return make_member(
        org=org, key="comms", roles=[Role.COMMUNICATIONS, Role.EMPLOYEE], department="Marketing"
    )


@pytest.fixture
def hr(org) -> User:
    return make_member(org=org, key="hr", roles=[Role.HR, Role.EMPLOYEE], department="People")


@pytest.fixture
def legal(org) -> User:
    return make_member(org=org, key="legal", roles=[Role.LEGAL, Role.EMPLOYEE], department="Legal")


@pytest.fixture
def manager(org) -> User:
    return make_member(org=org, key="manager", roles=[Role.MANAGER, Role.EMPLOYEE])


@pytest.fixture
def employee(org, manager) -> User:
    return make_member(org=org, key="employee", roles=[Role.EMPLOYEE], manager=manager.person)


@pytest.fixture
def employee2(org) -> User:
    return make_member(org=org, key="employee2", roles=[Role.EMPLOYEE], department="Sales")


@pytest.fixture
def outsider(other_org) -> User:
    return make_member(org=other_org, key="outsider", roles=[Role.ADMIN])


@pytest.fixture
def client_for(client):
    """`client_for(user)` returns the test client logged in as that user."""

    def login(user: User):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_client(db):
    """`api_client(user)` returns a test client sending that user's bearer token."""
    from django.test import Client

    from chorus.people.services import api_token_create

    def make(user: User) -> Client:
        _, raw = api_token_create(user=user, name="tests")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make


@pytest.fixture(autouse=True)
def _first_run_state():
    """The first-run middleware caches "an organization exists" per process; each test starts
    from its own database, so it starts without that cached answer."""
    from chorus.administration.middleware import OrganizationAccessMiddleware

    OrganizationAccessMiddleware._set_up = False
    yield
    OrganizationAccessMiddleware._set_up = False
# --- Outbound HTTP guard (issue 11, item 6) ----------------------------------------------------
@pytest.fixture
def outbound_to_loopback(settings):
    """Let the guarded outbound client (chorus.common.http) reach test servers on 127.0.0.1.
    Off by default: tests that do not opt in see production behaviour (loopback refused)."""
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32", "::1/128"]
    return settings
