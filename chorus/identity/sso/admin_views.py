"""Admin → Single sign-on: the organization's identity provider, what to enter at the IdP,
test connection (shows the claims received), attribute and group mapping, enforcement."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from chorus.administration.services import active_admins
from chorus.common.errors import DomainError, NotFound
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest
from chorus.identity.sso import saml, services
from chorus.identity.sso.forms import (
    ATTRIBUTE_LABELS,
    EnforcementForm,
    GroupMappingForm,
    MappingForm,
    OidcForm,
    SamlForm,
)
from chorus.identity.sso.models import DEFAULT_ATTRIBUTE_MAP, IdentityProvider
from chorus.identity.sso.selectors import group_mapping_list, provider_get
from chorus.identity.sso.views import oidc_redirect_uri
from chorus.people.roles import Role


def _admin_only(request: AuthedRequest) -> None:
    if request.user.organization_id is None or not request.user.has_role(Role.ADMIN):
        raise PermissionDenied("Only your organization's administrators can open this page.")


def sp_values(organization: Any) -> dict[str, str]:
    """What the IdP administrator enters for Chorus (shown on the page and in the API)."""
    return {
        "oidc_redirect_uri": oidc_redirect_uri(organization.slug),
        "oidc_login_url": f"{settings.SITE_URL}/sso/oidc/{organization.slug}/login/",
        "saml_entity_id": saml.sp_entity_id(organization),
        "saml_acs_url": saml.acs_url(organization),
        "saml_metadata_url": saml.sp_entity_id(organization),
        "saml_login_url": f"{settings.SITE_URL}/sso/saml/{organization.slug}/login/",
    }


def _forms(request: AuthedRequest, provider: IdentityProvider | None, posted: str
           ) -> dict[str, Any]:
    org = request.user.org
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    oidc_initial: dict[str, Any] = {"name": "", "scopes": "openid email profile",
                                    "enabled": True}
    saml_initial: dict[str, Any] = {"enabled": True}
    protocol = provider.protocol if provider else "oidc"
    if provider and provider.protocol == "oidc":
        oidc_initial.update(name=provider.name, discovery_url=provider.oidc_discovery_url,
                            client_id=provider.oidc_client_id, scopes=provider.oidc_scopes,
                            enabled=provider.enabled)
    if provider and provider.protocol == "saml":
        saml_initial.update(name=provider.name, metadata_url=provider.saml_metadata_url,
                            enabled=provider.enabled)
    mapping_initial: dict[str, Any] = {
        "mfa_values": "\n".join(provider.mfa_values) if provider else ""}
    current_map = provider.mapping() if provider else DEFAULT_ATTRIBUTE_MAP[protocol]
    mapping_initial.update({f"attr_{k}": v for k, v in current_map.items()})
    admins = list(active_admins(organization=org).order_by("full_name"))
    return {
        # Prefixes keep the two protocol forms' field ids apart (both have name, enabled).
        "oidc_form": OidcForm(data if posted == "oidc" else None, initial=oidc_initial,
                              prefix="oidc"),
        "saml_form": SamlForm(data if posted == "saml" else None,
                              files if posted == "saml" else None, initial=saml_initial,
                              prefix="saml"),
        "mapping_form": MappingForm(data if posted == "mapping" else None,
                                    initial=mapping_initial, protocol=protocol),
        "group_form": GroupMappingForm(data if posted == "group" else None),
        "enforcement_form": EnforcementForm(
            data if posted == "enforcement" else None, admins=admins,
            initial={"enforced": provider.enforced if provider else False,
                     "break_glass_user": provider.break_glass_user_id if provider else ""}),
        "admins": admins,
    }


def _save(request: AuthedRequest, posted: str, forms: dict[str, Any]) -> bool:
    org, actor = request.user.org, request.user
    if posted == "oidc" and forms["oidc_form"].is_valid():
        c = forms["oidc_form"].cleaned_data
        services.provider_configure_oidc(
            organization=org, actor=actor, name=c["name"], discovery_url=c["discovery_url"],
            client_id=c["client_id"], client_secret=c["client_secret"], scopes=c["scopes"],
            enabled=c["enabled"])
        messages.success(request, "OpenID Connect saved. Test the connection next.")
        return True
    if posted == "saml" and forms["saml_form"].is_valid():
        c = forms["saml_form"].cleaned_data
        xml = ""
        if c["metadata_file"]:
            if c["metadata_file"].size > saml.METADATA_MAX_BYTES:
                forms["saml_form"].add_error("metadata_file", "The file is larger than 2 MB.")
                return False
            xml = c["metadata_file"].read().decode("utf-8", errors="replace")
        services.provider_configure_saml(organization=org, actor=actor, name=c["name"],
                                         metadata_url=c["metadata_url"] or "",
                                         metadata_xml=xml, enabled=c["enabled"])
        messages.success(request, "SAML saved. Test the connection next.")
        return True
    if posted == "mapping" and forms["mapping_form"].is_valid():
        c = forms["mapping_form"].cleaned_data
        services.provider_update_mapping(
            organization=org, actor=actor,
            attribute_map={k[5:]: v for k, v in c.items() if k.startswith("attr_")},
            mfa_values=c["mfa_values"].splitlines())
        messages.success(request, "Mapping saved. It applies at each person's next sign-in.")
        return True
    if posted == "group" and forms["group_form"].is_valid():
        c = forms["group_form"].cleaned_data
        services.group_mapping_add(organization=org, actor=actor, group=c["group"],
                                   role=c["role"])
        messages.success(request, f"Members of {c['group']} get the {Role(c['role']).label} "
                                  "role at their next sign-in.")
        return True
    if posted == "enforcement" and forms["enforcement_form"].is_valid():
        c = forms["enforcement_form"].cleaned_data
        chosen = next((u for u in forms["admins"] if str(u.pk) == c["break_glass_user"]), None)
        services.provider_set_enforcement(organization=org, actor=actor,
                                          enforced=c["enforced"], break_glass_user=chosen)
        messages.success(request, "Single sign-on is now required." if c["enforced"]
                         else "Passwords are accepted again.")
        return True
    return False


@login_required
def sso_settings(request: AuthedRequest) -> HttpResponse:
    _admin_only(request)
    org = request.user.org
    provider = provider_get(organization=org)
    posted = request.POST.get("section", "") if request.method == "POST" else ""
    forms = _forms(request, provider, posted)
    if posted:
        form_key = {"oidc": "oidc_form", "saml": "saml_form", "mapping": "mapping_form",
                    "group": "group_form", "enforcement": "enforcement_form"}.get(posted)
        try:
            if _save(request, posted, forms):
                return redirect(reverse("identity:sso-settings") + f"#{posted}")
        except DomainError as exc:
            if form_key:
                add_domain_error(forms[form_key], exc)
            else:
                messages.error(request, exc.message)
    mapping_rows = [(ATTRIBUTE_LABELS[k[5:]], forms["mapping_form"][k])
                    for k in forms["mapping_form"].fields if k.startswith("attr_")]
    return render(request, "identity/sso_settings.html", {
        **forms, "provider": provider, "org": org, "values": sp_values(org),
        "group_mappings": group_mapping_list(organization=org), "mapping_rows": mapping_rows,
        "test_claims": [(k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
                        for k, v in sorted((provider.last_test_claims or {}).items())]
        if provider else [],
    })


@login_required
@require_POST
def group_mapping_delete(request: AuthedRequest, mapping_id: int) -> HttpResponse:
    _admin_only(request)
    try:
        services.group_mapping_remove(organization=request.user.org, actor=request.user,
                                      mapping_id=mapping_id)
        messages.success(request, "Group mapping removed. It applies at the next sign-in.")
    except NotFound:
        raise Http404("No such group mapping.") from None
    return redirect(reverse("identity:sso-settings") + "#groups")


@login_required
@require_POST
def sso_remove(request: AuthedRequest) -> HttpResponse:
    _admin_only(request)
    try:
        services.provider_delete(organization=request.user.org, actor=request.user)
        messages.success(request, "Single sign-on removed; members sign in with passwords.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("identity:sso-settings")
