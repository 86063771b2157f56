"""The demo organization: Northwind Robotics and its cast, built through services.

`seed_demo()` creates the organization and people, then calls `seed(ctx)` in each installed
Chorus app's `seed.py` (in INSTALLED_APPS order), so every app adds its own demo data: a
published policy, content and shares, a report, an open incident. Idempotent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from importlib.util import find_spec

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from chorus.people.models import Organization, Person, User
from chorus.people.roles import Role
from chorus.people.services import organization_create, person_create, user_create

DEMO_SLUG = "northwind-robotics"
DEMO_DOMAIN = "northwind.example"

# (key, full name, roles, department, manager key, title)
CAST = [
    ("admin", "Ada Okafor", [Role.ADMIN], "Operations", None, "Program administrator"),
    (
        "comms",
        "Casey Lindqvist",
        [Role.COMMUNICATIONS, Role.EMPLOYEE],
        "Marketing",
        None,
        "Head of Communications",
    ),
    ("hr", "Harper Nguyen", [Role.HR, Role.EMPLOYEE], "People", None, "HR Business Partner"),
    ("legal", "Lee Moreau", [Role.LEGAL, Role.EMPLOYEE], "Legal", None, "Employment Counsel"),
    (
        "manager",
        "Morgan Patel",
        [Role.MANAGER, Role.EMPLOYEE],
        "Engineering",
        None,
        "Engineering Manager",
    ),
    ("employee", "Emery Santos", [Role.EMPLOYEE], "Engineering", "manager", "Robotics Engineer"),
    ("employee2", "Sam Rivera", [Role.EMPLOYEE], "Sales", None, "Account Executive"),
]


@dataclass
class SeedContext:
    organization: Organization
    users: dict[str, User] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)


def demo_email(key: str) -> str:
    return f"{key}@{DEMO_DOMAIN}"


class DemoRefused(Exception):
    """The demo must not be created here (production settings without an explicit flag)."""


def demo_allowed(*, force: bool = False) -> bool:
    """The demo (known logins and password) is allowed in development, or in production only
    with CHORUS_ALLOW_DEMO=true or `--force`."""
    return force or settings.CHORUS_DEMO_ALLOWED


@transaction.atomic
def seed_demo(*, force: bool = False) -> tuple[bool, list[str]]:
    """Create the demo organization unless it exists. Returns (created, login lines).

    Raises DemoRefused with DEBUG=false unless CHORUS_ALLOW_DEMO=true or `force`: the demo
    accounts share a published password, so they never appear in production by accident.
    """
    if not demo_allowed(force=force):
        raise DemoRefused(
            "Refusing to create the demo organization: this installation runs with "
            "DEBUG=false, and the demo's accounts share a published password. Set up your "
            "organization with `chorus init` or the /setup/ page instead; to create the demo "
            "anyway (a trial server), pass --force or set CHORUS_ALLOW_DEMO=true."
        )
    password = settings.CHORUS_DEMO_PASSWORD
    logins = [
        f"  {demo_email(key):<28} {name:<18} ({', '.join(r.value for r in roles)})"
        for key, name, roles, *_ in CAST
    ]
    logins = ["Demo logins (password: " + password + "):", *logins]
    if Organization.objects.filter(slug=DEMO_SLUG).exists():
        return False, logins
    org = organization_create(name="Northwind Robotics", jurisdictions=["US", "US-CA", "EU", "DE"])
    org.verified_domains = [DEMO_DOMAIN]
    org.save(update_fields=["verified_domains"])
    ctx = SeedContext(organization=org)
    for key, name, roles, department, manager_key, title in CAST:
        user = user_create(
            organization=org, email=demo_email(key), full_name=name, password=password, roles=roles
        )
        ctx.users[key] = user
        ctx.people[key] = person_create(
            organization=org,
            full_name=name,
            email=user.email,
            department=department,
            manager=ctx.people.get(manager_key) if manager_key else None,
            user=user,
            title=title,
            start_date=datetime.date(2025, 3, 1),
        )
    for app in settings.INSTALLED_APPS:
        if app.startswith("chorus.") and app != "chorus.people" and find_spec(f"{app}.seed"):
            import_string(f"{app}.seed.seed")(ctx)
    return True, logins
