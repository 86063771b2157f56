"""Writes of single sign-on: the organization's identity-provider settings (administrators
only, every change audited, the client secret never stored in clear nor shown again), the
group→role mapping, SSO enforcement with one break-glass administrator, test results, and
the completion of a sign-in (just-in-time provisioning through `directory_upsert`)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from chorus.administration.services import require_admin
from chorus.audit.services import audit_record
from chorus.common.errors import DomainError, InvalidInput, NotFound
from chorus.identity.directory import DirectoryAttributes, directory_upsert
from chorus.identity.sso import oidc, saml
from chorus.identity.sso.errors import SsoError
from chorus.identity.sso.models import (
    DEFAULT_ATTRIBUTE_MAP,
    DEFAULT_MFA_AMR,
    MAPPABLE_ROLES,
    DirectoryLink,
    GroupRoleMapping,
    IdentityProvider,
    SamlAssertionSeen,
)
from chorus.identity.sso.secrets import encrypt
from chorus.people.models import Organization, User
from chorus.people.roles import Role

CLAIM_NAME_RE = re.compile(r"^[\w:./#-]{0,200}$")
MAX_MFA_VALUES = 20
FALSE_VALUES = {"false", "0", "no", "inactive", "disabled", "suspended", "deprovisioned"}


def provider_for(*, organization: Organization) -> IdentityProvider | None:
    return IdentityProvider.objects.filter(organization=organization).first()


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput("Name the identity provider as people know it (e.g. Okta).",
                           field="name")
    if len(name) > 100:
        raise InvalidInput("Keep the name under 100 characters.", field="name")
    return name


def _provider_for_update(organization: Organization, protocol: str) -> IdentityProvider:
    provider = (IdentityProvider.objects.select_for_update()
                .filter(organization=organization).first())
    if provider is None:
        return IdentityProvider(organization=organization, protocol=protocol)
    if provider.protocol != protocol:
        # Switching protocol: the other protocol's settings and test results no longer apply.
        provider.protocol = protocol
        provider.oidc_discovery_url = provider.oidc_client_id = ""
        provider.oidc_client_secret_encrypted = ""
        provider.oidc_metadata = {}
        provider.saml_metadata_url = provider.saml_metadata_xml = provider.saml_idp_entity_id = ""
        provider.attribute_map = {}
        provider.last_tested_at = None
        provider.last_test_ok = False
        provider.last_test_claims = {}
        provider.last_test_error = ""
    return provider


@transaction.atomic
def provider_configure_oidc(*, organization: Organization, actor: User, name: str,
                            discovery_url: str, client_id: str, client_secret: str = "",
                            scopes: str = "openid email profile", enabled: bool = True
                            ) -> IdentityProvider:
    """Set up (or change) OpenID Connect. The discovery document is fetched and checked now.
    An empty `client_secret` keeps the stored one (a public client with PKCE may have none)."""
    require_admin(actor, "configure single sign-on")
    name = _clean_name(name)
    client_id = (client_id or "").strip()
    if not client_id or len(client_id) > 255:
        raise InvalidInput("Enter the client id the identity provider shows for the Chorus "
                           "application.", field="client_id")
    scopes = " ".join((scopes or "openid email profile").split())
    if "openid" not in scopes.split():
        raise InvalidInput("The scopes must include openid.", field="scopes")
    discovery_url = (discovery_url or "").strip()
    try:
        metadata = oidc.discover(discovery_url)
    except SsoError as exc:
        raise InvalidInput(exc.message, field="discovery_url") from None
    provider = _provider_for_update(organization, IdentityProvider.Protocol.OIDC)
    before = {f: getattr(provider, f) for f in ("name", "oidc_discovery_url", "oidc_client_id",
                                                "oidc_scopes", "enabled")}
    provider.name, provider.oidc_discovery_url, provider.oidc_client_id = name, discovery_url, \
        client_id
    provider.oidc_scopes, provider.enabled, provider.oidc_metadata = scopes, enabled, metadata
    secret_changed = bool(client_secret)
    if client_secret:
        if len(client_secret) > 1000:
            raise InvalidInput("That client secret is too long.", field="client_secret")
        provider.oidc_client_secret_encrypted = encrypt(client_secret.strip())
    provider.save()
    changed = sorted(f for f, v in before.items() if getattr(provider, f) != v)
    audit_record(organization=organization, actor=actor, action="identity.sso_configured",
                 target=provider, data={"protocol": "oidc", "fields": changed,
                                        "client_secret_changed": secret_changed,
                                        "issuer": metadata["issuer"]})
    return provider


@transaction.atomic
def provider_configure_saml(*, organization: Organization, actor: User, name: str,
                            metadata_url: str = "", metadata_xml: str = "", enabled: bool = True
                            ) -> IdentityProvider:
    """Set up (or change) SAML 2.0 from the IdP's metadata, downloaded from `metadata_url` or
    given as XML (upload). The metadata must carry a signing certificate."""
    require_admin(actor, "configure single sign-on")
    name = _clean_name(name)
    metadata_url = (metadata_url or "").strip()
    if metadata_url and not metadata_xml:
        metadata_xml = saml.fetch_idp_metadata(metadata_url)
    if not (metadata_xml or "").strip():
        provider = provider_for(organization=organization)
        if provider is None or provider.protocol != IdentityProvider.Protocol.SAML \
                or not provider.saml_metadata_xml:
            raise InvalidInput("Give the identity provider's metadata URL or upload its "
                               "metadata XML file.", field="metadata")
        metadata_xml = provider.saml_metadata_xml
    if len(metadata_xml) > saml.METADATA_MAX_BYTES:
        raise InvalidInput("The metadata file is larger than 2 MB.", field="metadata")
    entity_id = saml.idp_entity_id(organization, metadata_xml)
    provider = _provider_for_update(organization, IdentityProvider.Protocol.SAML)
    before = {f: getattr(provider, f) for f in ("name", "saml_metadata_url",
                                                "saml_idp_entity_id", "enabled")}
    metadata_changed = provider.saml_metadata_xml != metadata_xml.strip()
    provider.name, provider.saml_metadata_url, provider.enabled = name, metadata_url, enabled
    provider.saml_metadata_xml, provider.saml_idp_entity_id = metadata_xml.strip(), entity_id
    provider.save()
    changed = sorted(f for f, v in before.items() if getattr(provider, f) != v)
    audit_record(organization=organization, actor=actor, action="identity.sso_configured",
                 target=provider, data={"protocol": "saml", "fields": changed,
                                        "metadata_changed": metadata_changed,
                                        "idp_entity_id": entity_id})
    return provider


def _require_provider(organization: Organization) -> IdentityProvider:
    provider = (IdentityProvider.objects.select_for_update()
                .filter(organization=organization).first())
    if provider is None:
        raise NotFound("Single sign-on is not set up for this organization yet.")
    return provider


@transaction.atomic
def provider_update_mapping(*, organization: Organization, actor: User,
                            attribute_map: dict[str, str] | None = None,
                            mfa_values: list[str] | None = None) -> IdentityProvider:
    """Rename the claims/attributes read for each directory attribute and list the acr or
    AuthnContextClassRef values that mean "second factor used". Applies at the next sign-in;
    audited with the old and new values (claim names, not personal data)."""
    require_admin(actor, "change the attribute mapping")
    provider = _require_provider(organization)
    before = {"attribute_map": provider.mapping(), "mfa_values": list(provider.mfa_values)}
    if attribute_map is not None:
        known = DEFAULT_ATTRIBUTE_MAP[provider.protocol]
        cleaned: dict[str, str] = {}
        for key, value in attribute_map.items():
            if key not in known:
                raise InvalidInput(f"“{key}” is not a directory attribute; use one of "
                                   f"{', '.join(known)}.", field="attribute_map")
            value = (value or "").strip() if isinstance(value, str) else value
            if not isinstance(value, str) or not CLAIM_NAME_RE.match(value):
                raise InvalidInput(f"The claim name for {key} may hold letters, digits and "
                                   ": . / # - _ only (at most 200).", field="attribute_map")
            if key == "email" and not value:
                raise InvalidInput("The e-mail attribute cannot be left out: it is how Chorus "
                                   "recognizes people.", field="attribute_map")
            if value != known[key]:
                cleaned[key] = value
        provider.attribute_map = cleaned
    if mfa_values is not None:
        values = [v.strip() for v in mfa_values if isinstance(v, str) and v.strip()]
        if len(values) > MAX_MFA_VALUES or any(len(v) > 300 for v in values):
            raise InvalidInput(f"List at most {MAX_MFA_VALUES} values of up to 300 characters.",
                               field="mfa_values")
        provider.mfa_values = list(dict.fromkeys(values))
    provider.save(update_fields=["attribute_map", "mfa_values", "updated_at"])
    after = {"attribute_map": provider.mapping(), "mfa_values": list(provider.mfa_values)}
    if after != before:
        audit_record(organization=organization, actor=actor,
                     action="identity.attribute_mapping_changed", target=provider,
                     data={"before": before, "after": after})
    return provider


@transaction.atomic
def group_mapping_add(*, organization: Organization, actor: User, group: str, role: str
                      ) -> GroupRoleMapping:
    """Members of `group` hold `role` from their next sign-in on (audited)."""
    require_admin(actor, "map groups to roles")
    group = " ".join((group or "").split())
    if not group or len(group) > 200:
        raise InvalidInput("Enter the group's name exactly as the identity provider sends it.",
                           field="group")
    if role not in [r.value for r in MAPPABLE_ROLES]:
        raise InvalidInput("Choose one of admin, communications, hr, legal or manager.",
                           field="role")
    if GroupRoleMapping.objects.filter(organization=organization, group__iexact=group,
                                       role=role).exists():
        raise InvalidInput(f"{group} already grants {role}.", field="group")
    try:
        with transaction.atomic():
            mapping = GroupRoleMapping.objects.create(organization=organization, group=group,
                                                      role=role)
    except IntegrityError:
        raise InvalidInput(f"{group} already grants {role}.", field="group") from None
    audit_record(organization=organization, actor=actor, action="identity.group_mapping_added",
                 target=mapping, data={"group": group, "role": role})
    return mapping


@transaction.atomic
def group_mapping_remove(*, organization: Organization, actor: User, mapping_id: int) -> None:
    require_admin(actor, "map groups to roles")
    mapping = GroupRoleMapping.objects.filter(organization=organization, pk=mapping_id).first()
    if mapping is None:
        raise NotFound("No such group mapping.")
    audit_record(organization=organization, actor=actor,
                 action="identity.group_mapping_removed", target=mapping,
                 data={"group": mapping.group, "role": mapping.role})
    mapping.delete()


@transaction.atomic
def provider_set_enforcement(*, organization: Organization, actor: User, enforced: bool,
                             break_glass_user: User | None) -> IdentityProvider:
    """Require single sign-on for every member except one break-glass administrator, who
    keeps a password for when the identity provider is down. Enforcing needs a tested,
    enabled provider and an active administrator as the break-glass account."""
    require_admin(actor, "enforce single sign-on")
    provider = _require_provider(organization)
    if enforced:
        if not provider.enabled:
            raise InvalidInput("Enable single sign-on before enforcing it.", field="enforced")
        if not provider.last_test_ok:
            raise InvalidInput("Test the connection successfully before enforcing single "
                               "sign-on, so nobody is locked out.", field="enforced")
        if break_glass_user is None:
            raise InvalidInput("Choose the break-glass administrator who keeps a password.",
                               field="break_glass_user")
        if (break_glass_user.organization_id != organization.pk
                or not break_glass_user.is_active or not break_glass_user.has_role(Role.ADMIN)):
            raise InvalidInput("The break-glass account must be an active administrator of "
                               "this organization.", field="break_glass_user")
    before = (provider.enforced, provider.break_glass_user_id)
    provider.enforced = enforced
    provider.break_glass_user = break_glass_user if enforced else None
    provider.save(update_fields=["enforced", "break_glass_user", "updated_at"])
    if (provider.enforced, provider.break_glass_user_id) != before:
        audit_record(
            organization=organization, actor=actor,
            action="identity.sso_enforced" if enforced else "identity.sso_enforcement_lifted",
            target=provider,
            data={"break_glass": break_glass_user.email if enforced and break_glass_user
                  else ""})
    return provider


@transaction.atomic
def provider_delete(*, organization: Organization, actor: User) -> None:
    """Remove single sign-on; members sign in with passwords again (audited)."""
    require_admin(actor, "remove single sign-on")
    provider = _require_provider(organization)
    audit_record(organization=organization, actor=actor, action="identity.sso_removed",
                 target=provider, data={"protocol": provider.protocol})
    provider.delete()


def password_refusal(user: Any) -> str | None:
    """Why this account may not sign in with a password (its organization enforces single
    sign-on and it is not the break-glass administrator), or None. A password sign-in of the
    break-glass administrator while SSO is enforced is audited."""
    org_id = getattr(user, "organization_id", None)
    if not org_id:
        return None
    provider = (IdentityProvider.objects.select_related("organization")
                .filter(organization_id=org_id, enforced=True, enabled=True).first())
    if provider is None:
        return None
    if provider.break_glass_user_id == user.pk:
        audit_record(organization=provider.organization, actor=user,
                     action="identity.break_glass_login", target=user,
                     data={"user": user.email})
        return None
    return (f"{provider.organization.name} signs in with single sign-on ({provider.name}). "
            "Use “Continue with SSO” with your work e-mail.")


@transaction.atomic
def provider_record_test(*, provider: IdentityProvider, actor: User | None,
                         claims: dict[str, Any] | None, error: str = "") -> IdentityProvider:
    """Keep what the last test sign-in received (shown on the settings page and in the API),
    audited without the claim values."""
    provider.last_tested_at = timezone.now()
    provider.last_test_ok = claims is not None and not error
    provider.last_test_claims = oidc.json_safe(claims or {})
    provider.last_test_error = error[:500]
    provider.save(update_fields=["last_tested_at", "last_test_ok", "last_test_claims",
                                 "last_test_error", "updated_at"])
    audit_record(organization=provider.organization, actor=actor,
                 action="identity.sso_tested", target=provider,
                 data={"ok": provider.last_test_ok, "claims": sorted((claims or {}).keys()),
                       "error": error[:300]})
    return provider


# --------------------------------------------------------------------------- sign-in


def _first(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return value[0] if value else None
    return value


def _as_text(value: Any) -> str | None:
    value = _first(value)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def attributes_from_claims(*, provider: IdentityProvider, claims: dict[str, Any],
                           subject: str = "") -> DirectoryAttributes:
    """The directory view of a person from OIDC claims or SAML attributes, through the
    organization's attribute map. `subject` is the OIDC `sub` or the SAML NameID."""
    mapping = provider.mapping()

    def get(key: str) -> Any:
        name = mapping.get(key) or ""
        return claims.get(name) if name else None

    email = _as_text(get("email"))
    if not email and subject and "@" in subject:
        email = subject
    if provider.protocol == IdentityProvider.Protocol.OIDC and \
            claims.get("email_verified") in (False, "false"):
        raise SsoError("The identity provider says this e-mail address is not verified. "
                       "Verify it there, then sign in again.")
    groups_raw = get("groups")
    groups: tuple[str, ...] | None = None
    if groups_raw is not None:
        items = groups_raw if isinstance(groups_raw, list | tuple) else [groups_raw]
        groups = tuple(str(g) for g in items if g is not None)
    active_raw = get("active")
    active = True
    if active_raw is not None:
        value = _first(active_raw)
        active = not (value is False or str(value).strip().lower() in FALSE_VALUES)
    return DirectoryAttributes(
        email=email or "",
        given_name=_as_text(get("given_name")),
        family_name=_as_text(get("family_name")),
        display_name=_as_text(get("display_name")),
        department=_as_text(get("department")),
        manager_email=_as_text(get("manager_email")),
        location=_as_text(get("location")),
        title=_as_text(get("title")),
        preferred_language=_as_text(get("preferred_language")),
        groups=groups,
        external_id=subject or None,
        active=active,
    )


def mfa_from_oidc(*, provider: IdentityProvider, claims: dict[str, Any]) -> bool:
    """True when the ID token says a second factor was used (RFC 8176 `amr` values or an
    `acr` the organization lists)."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if any(str(v).lower() in DEFAULT_MFA_AMR for v in amr):
        return True
    acr = claims.get("acr")
    return bool(acr) and str(acr) in provider.mfa_values


# Entra ID reports the methods used in this attribute (e.g. .../claims/multipleauthn), not
# in the AuthnContextClassRef.
SAML_AUTHN_METHODS_ATTRIBUTE = "http://schemas.microsoft.com/claims/authnmethodsreferences"


def mfa_from_saml(*, provider: IdentityProvider, contexts: tuple[str, ...],
                  attributes: dict[str, Any] | None = None) -> bool:
    """True when an AuthnContextClassRef, or a value of Entra ID's authnmethodsreferences
    attribute, is one the organization lists as "second factor used"."""
    methods = list((attributes or {}).get(SAML_AUTHN_METHODS_ATTRIBUTE) or [])
    return any(str(c) in provider.mfa_values for c in [*contexts, *methods])


def saml_assertion_claim(*, provider: IdentityProvider, assertion_id: str, expires_at: Any
                         ) -> None:
    """Record an assertion as used; a second use (a replay) raises SsoError."""
    SamlAssertionSeen.objects.filter(expires_at__lt=timezone.now() - timedelta(days=1)).delete()
    try:
        with transaction.atomic():
            SamlAssertionSeen.objects.create(organization=provider.organization,
                                             assertion_id=assertion_id[:200],
                                             expires_at=expires_at)
    except IntegrityError:
        raise SsoError("This sign-in was already used once. Start again from the sign-in "
                       "page.") from None


@transaction.atomic
def sso_login_complete(*, provider: IdentityProvider, attributes: DirectoryAttributes,
                       mfa: bool, assertion: tuple[str, Any] | None = None) -> User:
    """Provision (just in time) and return the account for a verified sign-in. Refused with
    SsoError, and nothing written, when the organization is suspended, single sign-on is
    off, the IdP marks the person inactive, or the Chorus account is deactivated."""
    organization = provider.organization
    if organization.suspended_at is not None:
        raise SsoError(organization.suspension_message)
    if not provider.enabled:
        raise SsoError(f"Single sign-on is turned off for {organization.name}.")
    if not attributes.active:
        raise SsoError("Your identity provider marks your account as deactivated, so Chorus "
                       "does not sign you in. Ask your IT team.")
    existing = None
    if attributes.external_id:
        link = DirectoryLink.objects.filter(organization=organization,
                                            source=f"sso:{provider.protocol}",
                                            external_id=attributes.external_id).first()
        existing = link.user if link else None
    if existing is None and attributes.email:
        existing = User.objects.filter(email__iexact=attributes.email.strip()).first()
    if existing is not None and existing.organization_id != organization.pk:
        raise SsoError(f"This account cannot sign in to {organization.name}.")
    if existing is not None and not existing.is_active:
        raise SsoError("Your Chorus account is deactivated. Ask an administrator of "
                       f"{organization.name} if you think this is a mistake.")
    if assertion is not None:
        saml_assertion_claim(provider=provider, assertion_id=assertion[0],
                             expires_at=assertion[1])
    try:
        user = directory_upsert(organization=organization, attributes=attributes,
                                source=f"sso:{provider.protocol}",
                                actor_label=f"Single sign-on ({provider.name})")
    except DomainError as exc:
        raise SsoError(exc.message) from None
    except IntegrityError:
        # The same person's first sign-in in two tabs at once: the other one created the row.
        raise SsoError("Your account was being set up at the same moment in another window. "
                       "Sign in again.") from None
    audit_record(organization=organization, actor=user, action="identity.sso_login",
                 target=user, data={"protocol": provider.protocol, "idp_mfa": mfa})
    return user
