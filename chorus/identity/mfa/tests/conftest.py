import pytest


@pytest.fixture
def admin2(org):
    """A second administrator of Northwind (resets need two)."""
    from conftest import make_member

    return make_member(org=org, key="admin2", roles=["admin"], department="Operations")
