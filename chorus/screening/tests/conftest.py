"""Fixtures for the screening engine tests: plain Python, no database, no Django."""

from __future__ import annotations

import pytest

from chorus.screening import Policy, Screener, parse_policy_yaml

# The screening-dev policy (Northwind Robotics), inlined so tests never read shared data.
NORTHWIND_POLICY = """\
organization:
  name: Northwind Robotics
  aliases: [Northwind, NWR]
  products: [Skylift, Tern, Harbor OS]
  ticker: NWRB
preset: balanced
entities:
  customers: [Contoso, Fabrikam, Tailspin Toys, Wide World Importers]
  competitors: [Initech, Globex, Umbrella Dynamics]
  codenames: [Bluebird, Project Kestrel]
"""


@pytest.fixture(scope="session")
def northwind_policy() -> Policy:
    return parse_policy_yaml(NORTHWIND_POLICY, source="northwind.yaml")


@pytest.fixture(scope="session")
def screener(northwind_policy: Policy) -> Screener:
    return Screener(northwind_policy)


def make_policy(**overrides: object) -> Policy:
    """The Northwind policy with top-level keys replaced (keyword-only, explicit values)."""
    data = parse_policy_yaml(NORTHWIND_POLICY).to_dict()
    data.update(overrides)
    return Policy.from_dict(data)
