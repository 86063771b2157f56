"""Single sign-on API at /api/v1/identity/sso: the same services as Admin → Single sign-on,
for the organization's administrators (403 for everyone else; another organization's ids are
404). The client secret is write-only: no response ever contains it."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from ninja import Router, Schema, Status

from chorus.administration.services import require_admin
from chorus.common.api import Id, InputSchema
from chorus.common.errors import NotFound
from chorus.common.types import AuthedRequest
from chorus.identity.sso import services
from chorus.identity.sso.admin_views import sp_values
from chorus.identity.sso.models import GroupRoleMapping, IdentityProvider
from chorus.identity.sso.selectors import group_mapping_list, provider_get
from chorus.people.models import User

router = Router(tags=["identity"])


class ServiceProviderOut(Schema):
    oidc_redirect_uri: str
    oidc_login_url: str
    saml_entity_id: str
    saml_acs_url: str
    saml_metadata_url: str
    saml_login_url: str


class ProviderOut(Schema):
    name: str
    protocol: str
    enabled: bool
    oidc_discovery_url: str
    oidc_client_id: str
    has_client_secret: bool
    oidc_scopes: str
    oidc_issuer: str
    saml_metadata_url: str
    saml_idp_entity_id: str
    attribute_map: dict[str, str]
    mfa_values: list[str]
    enforced: bool
    break_glass_user_id: int | None
    last_tested_at: datetime.datetime | None
    last_test_ok: bool
    last_test_claims: dict[str, Any]
    last_test_error: str
    service_provider: ServiceProviderOut


class OidcIn(InputSchema):
    name: str
    discovery_url: str
    client_id: str
    client_secret: str = ""
    scopes: str = "openid email profile"
    enabled: bool = True


class SamlIn(InputSchema):
    name: str
    metadata_url: str = ""
    metadata_xml: str = ""
    enabled: bool = True


class MappingIn(InputSchema):
    attribute_map: dict[str, str] | None = None
    mfa_values: list[str] | None = None


class EnforcementIn(InputSchema):
    enforced: bool
    break_glass_user_id: Id | None = None


class GroupMappingIn(InputSchema):
    group: str
    role: str


class GroupMappingOut(Schema):
    id: int
    group: str
    role: str


class TestOut(Schema):
    url: str
    detail: str


def _provider(p: IdentityProvider) -> dict[str, Any]:
    return {
        "name": p.name, "protocol": p.protocol, "enabled": p.enabled,
        "oidc_discovery_url": p.oidc_discovery_url, "oidc_client_id": p.oidc_client_id,
        "has_client_secret": p.has_client_secret, "oidc_scopes": p.oidc_scopes,
        "oidc_issuer": str((p.oidc_metadata or {}).get("issuer", "")),
        "saml_metadata_url": p.saml_metadata_url, "saml_idp_entity_id": p.saml_idp_entity_id,
        "attribute_map": p.mapping(), "mfa_values": list(p.mfa_values),
        "enforced": p.enforced, "break_glass_user_id": p.break_glass_user_id,
        "last_tested_at": p.last_tested_at, "last_test_ok": p.last_test_ok,
        "last_test_claims": p.last_test_claims or {}, "last_test_error": p.last_test_error,
        "service_provider": sp_values(p.organization),
    }


def _get(request: AuthedRequest) -> IdentityProvider:
    require_admin(request.auth, "read the single sign-on settings")
    provider = provider_get(organization=request.auth.org)
    if provider is None:
        raise NotFound("Single sign-on is not set up for this organization yet.")
    return provider


@router.get("/sso", response=ProviderOut, summary="Your organization's identity provider")
def sso_get(request: AuthedRequest) -> dict[str, Any]:
    return _provider(_get(request))


@router.get("/sso/service-provider", response=ServiceProviderOut,
            summary="The values to enter at the identity provider")
def sso_service_provider(request: AuthedRequest) -> dict[str, str]:
    require_admin(request.auth, "read the single sign-on settings")
    return sp_values(request.auth.org)


@router.put("/sso/oidc", response=ProviderOut, summary="Set up OpenID Connect")
def sso_put_oidc(request: AuthedRequest, payload: OidcIn) -> dict[str, Any]:
    provider = services.provider_configure_oidc(
        organization=request.auth.org, actor=request.auth, name=payload.name,
        discovery_url=payload.discovery_url, client_id=payload.client_id,
        client_secret=payload.client_secret, scopes=payload.scopes, enabled=payload.enabled)
    return _provider(provider)


@router.put("/sso/saml", response=ProviderOut, summary="Set up SAML 2.0 from IdP metadata")
def sso_put_saml(request: AuthedRequest, payload: SamlIn) -> dict[str, Any]:
    provider = services.provider_configure_saml(
        organization=request.auth.org, actor=request.auth, name=payload.name,
        metadata_url=payload.metadata_url, metadata_xml=payload.metadata_xml,
        enabled=payload.enabled)
    return _provider(provider)


@router.put("/sso/mapping", response=ProviderOut, summary="Attribute map and MFA values")
def sso_put_mapping(request: AuthedRequest, payload: MappingIn) -> dict[str, Any]:
    provider = services.provider_update_mapping(
        organization=request.auth.org, actor=request.auth,
        attribute_map=payload.attribute_map, mfa_values=payload.mfa_values)
    return _provider(provider)


@router.put("/sso/enforcement", response=ProviderOut, summary="Require single sign-on")
def sso_put_enforcement(request: AuthedRequest, payload: EnforcementIn) -> dict[str, Any]:
    require_admin(request.auth, "enforce single sign-on")
    break_glass = None
    if payload.break_glass_user_id is not None:
        break_glass = User.objects.filter(pk=payload.break_glass_user_id,
                                          organization_id=request.auth.org_id).first()
        if break_glass is None:
            raise NotFound("No such user in your organization.")
    provider = services.provider_set_enforcement(
        organization=request.auth.org, actor=request.auth, enforced=payload.enforced,
        break_glass_user=break_glass)
    return _provider(provider)


@router.post("/sso/test", response=TestOut, summary="Start a test connection")
def sso_test(request: AuthedRequest) -> dict[str, str]:
    provider = _get(request)
    kind = "oidc" if provider.protocol == IdentityProvider.Protocol.OIDC else "saml"
    return {
        "url": f"{settings.SITE_URL}/sso/{kind}/{request.auth.org.slug}/login/?test=1",
        "detail": "Open this address in a browser where you are signed in to Chorus as an "
                  "administrator and sign in at the identity provider; the claims it sends then "
                  "appear in last_test_claims of GET /api/v1/identity/sso.",
    }


@router.delete("/sso", response={204: None}, summary="Remove single sign-on")
def sso_delete(request: AuthedRequest) -> Status:
    services.provider_delete(organization=request.auth.org, actor=request.auth)
    return Status(204, None)


def _mapping(m: GroupRoleMapping) -> dict[str, Any]:
    return {"id": m.pk, "group": m.group, "role": m.role}


@router.get("/sso/groups", response=list[GroupMappingOut], summary="Groups → roles")
def groups_list(request: AuthedRequest) -> list[dict[str, Any]]:
    require_admin(request.auth, "read the group mapping")
    return [_mapping(m) for m in group_mapping_list(organization=request.auth.org)]


@router.post("/sso/groups", response={201: GroupMappingOut}, summary="Map a group to a role")
def groups_add(request: AuthedRequest, payload: GroupMappingIn) -> Status:
    mapping = services.group_mapping_add(organization=request.auth.org, actor=request.auth,
                                         group=payload.group, role=payload.role)
    return Status(201, _mapping(mapping))


@router.delete("/sso/groups/{mapping_id}", response={204: None}, summary="Remove a mapping")
def groups_remove(request: AuthedRequest, mapping_id: Id) -> Status:
    services.group_mapping_remove(organization=request.auth.org, actor=request.auth,
                                  mapping_id=mapping_id)
    return Status(204, None)
