"""The same new person arriving twice at the same moment (two tabs signing in, SSO and SCIM
together): exactly one account and one HR record, and the other call gets a clear Conflict."""

from __future__ import annotations

import pytest

from chorus.common.errors import Conflict
from chorus.common.testing import in_own_connection, own_connections_per_thread, run_concurrently
from chorus.identity.directory import DirectoryAttributes, directory_upsert
from chorus.people.models import Person, User

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_first_arrivals_create_one_account(tmp_path, org):
    org.verified_domains = ["northwind.example"]
    org.save(update_fields=["verified_domains"])

    def arrive(source: str):
        return directory_upsert(organization=org, source=source, actor_label=source,
                                attributes=DirectoryAttributes(
                                    email="ada@northwind.example", display_name="Ada",
                                    external_id="00u1"))

    with own_connections_per_thread(tmp_path):
        results = run_concurrently([lambda s=s: arrive(s) for s in
                                    ("sso:oidc", "scim", "sso:saml", "sso:oidc")])
        unexpected = [r for r in results if isinstance(r, Exception)
                      and not isinstance(r, Conflict)]
        assert unexpected == []
        users = [r for r in results if isinstance(r, User)]
        assert users and len({u.pk for u in users}) == 1

        def stored():
            return (User.objects.filter(email="ada@northwind.example").count(),
                    Person.objects.filter(email="ada@northwind.example").count())

        assert in_own_connection(stored) == (1, 1)
