"""Writes of the provisioning app. Import from `chorus.provisioning.services`."""

from __future__ import annotations

from chorus.provisioning.services.affiliation import (
    affiliation_current,
    affiliation_request,
    affiliation_revoke,
    did_for_host,
    profile_for_slug,
)
from chorus.provisioning.services.offboarding import (
    offboarding_for_token,
    offboarding_get,
    person_offboard,
    person_offboarding_reset,
    summary_url,
)
from chorus.provisioning.services.tokens import (
    scim_token_authenticate,
    scim_token_create,
    scim_token_revoke,
)

__all__ = [
    "affiliation_current",
    "affiliation_request",
    "affiliation_revoke",
    "did_for_host",
    "offboarding_for_token",
    "offboarding_get",
    "person_offboard",
    "person_offboarding_reset",
    "profile_for_slug",
    "scim_token_authenticate",
    "scim_token_create",
    "scim_token_revoke",
    "summary_url",
]
