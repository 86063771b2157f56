"""A cheaper password hash for development only (never used with DEBUG off).

Measured on the 2-core demo box (issue 17): a sign-in spent ~0.8-1.1 s in one PBKDF2-SHA256
hash at Django's 1,000,000 iterations and ~0.05 s in everything else (axes, session, redirect);
the trial's 3.8 s also included the first, cold request of a fresh process. In development
(`DEBUG=true`, demo passwords) 100,000 iterations take ~0.1 s. Production keeps Django's
default hasher, and because Django re-hashes on login when the iteration count differs, a
database moved from development to production upgrades each hash on the user's next sign-in.
"""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class DevPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2-SHA256 with 100,000 iterations, same algorithm name, for DEBUG only."""

    iterations = 100_000
