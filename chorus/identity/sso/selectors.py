"""Reads of single sign-on: which identity provider serves an address or an organization."""

from __future__ import annotations

from chorus.identity.sso.models import GroupRoleMapping, IdentityProvider
from chorus.people.models import Organization


def provider_for_email(*, email: str) -> IdentityProvider | None:
    """The enabled identity provider of the one organization that verified this address's
    domain, or None (no organization, or more than one claims the domain)."""
    domain = email.rsplit("@", 1)[-1].strip().lower()
    if not domain:
        return None
    # Few organizations have SSO; verified_domains is a JSON list, so match it in Python
    # (SQLite has no JSON containment lookup).
    matches = [p for p in IdentityProvider.objects.select_related("organization")
               .filter(enabled=True, organization__suspended_at__isnull=True)
               if domain in [d.lower() for d in p.organization.verified_domains or []]]
    return matches[0] if len(matches) == 1 else None


def provider_for_slug(*, slug: str, protocol: str) -> IdentityProvider | None:
    return (IdentityProvider.objects.select_related("organization")
            .filter(organization__slug=slug, protocol=protocol).first())


def provider_get(*, organization: Organization) -> IdentityProvider | None:
    return (IdentityProvider.objects.select_related("break_glass_user")
            .filter(organization=organization).first())


def group_mapping_list(*, organization: Organization) -> list[GroupRoleMapping]:
    return list(GroupRoleMapping.objects.filter(organization=organization))
