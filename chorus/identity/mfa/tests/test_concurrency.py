"""A TOTP code or a recovery code sent twice at the same moment (a replay racing the real
sign-in) is accepted exactly once, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from chorus.common.errors import InvalidInput
from chorus.common.testing import own_connections_per_thread, run_concurrently
from chorus.identity.mfa import services
from chorus.identity.mfa.tests.helpers import enroll_totp, now_code

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_code_sent_eight_times_at_once_is_accepted_once(tmp_path, employee, settings):
    from django.core.cache import cache

    # The cache table is not emptied between transactional tests; replays count as failures,
    # so raise the limit to see each of the 16 answers rather than the lockout.
    cache.clear()
    settings.AXES_FAILURE_LIMIT = 50
    _, secret, codes = enroll_totp(user=employee)
    code = now_code(secret)
    assert codes
    with own_connections_per_thread(tmp_path):
        results = run_concurrently(
            [lambda: services.totp_verify(user=employee, code=code) for _ in range(8)]
        )
        recovery = run_concurrently(
            [lambda: services.recovery_code_use(user=employee, code=codes[0]) for _ in range(8)]
        )
    accepted = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert len(accepted) == 1 and len(refused) == 7, [repr(r) for r in results]
    assert all("already used" in r.message for r in refused)
    assert len([r for r in recovery if isinstance(r, int)]) == 1, recovery
