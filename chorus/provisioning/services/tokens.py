"""SCIM bearer tokens: created and revoked by the organization's administrators."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from chorus.administration.services import require_admin
from chorus.audit.services import audit_record
from chorus.common.errors import InvalidInput, NotFound
from chorus.people.models import User
from chorus.provisioning.models import ScimToken

TOKEN_PREFIX = "scim_"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def scim_token_create(*, actor: User, name: str) -> tuple[ScimToken, str]:
    """A new SCIM token for the actor's organization (administrators only). Returns the row
    and the secret, which is shown once and never stored (only its SHA-256)."""
    require_admin(actor, "create SCIM tokens")
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput("Name the token after the identity provider that uses it, for "
                           "example “Okta”.", field="name")
    if len(name) > 100:
        raise InvalidInput("Keep the name under 100 characters.", field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ScimToken.objects.create(organization=actor.org, name=name, prefix=secret[:12],
                                     token_hash=_hash(secret), created_by=actor)
    audit_record(organization=actor.org, actor=actor, action="provisioning.scim_token_created",
                 target=token, data={"name": name, "prefix": token.prefix})
    return token, secret


@transaction.atomic
def scim_token_revoke(*, actor: User, token_id: int) -> ScimToken:
    """Revoke a token at once (administrators only); another organization's id is a 404."""
    require_admin(actor, "revoke SCIM tokens")
    token = ScimToken.objects.select_for_update().filter(
        pk=token_id, organization_id=actor.org_id).first()
    if token is None:
        raise NotFound("No such SCIM token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(organization=actor.org, actor=actor,
                     action="provisioning.scim_token_revoked", target=token,
                     data={"name": token.name, "prefix": token.prefix})
    return token


def scim_token_authenticate(secret: str) -> ScimToken | None:
    """The active token for a bearer secret (None if unknown or revoked), its organization
    loaded and not suspended. Records when it was last used (at most once a minute)."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (ScimToken.objects.select_related("organization")
             .filter(token_hash=_hash(secret), revoked_at__isnull=True).first())
    if token is None or token.organization.is_suspended:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
