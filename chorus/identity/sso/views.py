"""Single sign-on pages: "Continue with SSO" (work e-mail → the organization's IdP), the OIDC
callback, the SAML assertion consumer service and SP metadata (public), and the administrator's
settings page. A sign-in that cannot complete gets a plain page saying why (HTTP 400), never a
500, and writes nothing."""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from chorus.common.errors import DomainError
from chorus.identity.session import MFA_SATISFIED_BY_IDP, MFA_SESSION_KEY
from chorus.identity.sso import oidc, saml, services
from chorus.identity.sso.errors import SsoError
from chorus.identity.sso.forms import SsoEmailForm
from chorus.identity.sso.models import IdentityProvider
from chorus.identity.sso.selectors import provider_for_email, provider_for_slug
from chorus.people.models import User
from chorus.people.roles import Role

logger = logging.getLogger(__name__)

OIDC_FLOWS_KEY = "identity_sso_oidc_flows"
FLOW_MAX_AGE = 600  # seconds a person has at the identity provider
RELAY_SALT = "chorus.identity.sso.saml-relay"
SAML_FLOW_COOKIE = "chorus_saml_flow"


def oidc_redirect_uri(slug: str) -> str:
    return f"{settings.SITE_URL}/sso/oidc/{slug}/callback/"


def _failure(request: HttpRequest, message: str, *, status: int = 400) -> HttpResponse:
    return render(request, "identity/sso_failed.html", {"message": message}, status=status)


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return "/"


def _is_org_admin(request: HttpRequest, provider: IdentityProvider) -> bool:
    user = request.user
    return bool(user.is_authenticated and isinstance(user, User)
                and user.organization_id == provider.organization_id
                and user.has_role(Role.ADMIN))


def _finish(request: HttpRequest, provider: IdentityProvider, user: User, *, mfa: bool,
            next_url: str) -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if mfa:
        request.session[MFA_SESSION_KEY] = MFA_SATISFIED_BY_IDP
    else:
        request.session.pop(MFA_SESSION_KEY, None)
    return redirect(next_url)


def _test_done(request: HttpRequest, provider: IdentityProvider, *, actor_id: int | None,
               claims: dict[str, Any] | None, error: str = "") -> HttpResponse:
    actor = (User.objects.filter(pk=actor_id, organization=provider.organization).first()
             if actor_id else None)
    services.provider_record_test(provider=provider, actor=actor, claims=claims, error=error)
    return redirect(reverse("identity:sso-settings") + "#test")


# --------------------------------------------------------------------------- discovery


@require_http_methods(["GET", "POST"])
def sso_start(request: HttpRequest) -> HttpResponse:
    """Ask for the work e-mail and send the person to their organization's IdP."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = SsoEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        provider = provider_for_email(email=email)
        if provider is None:
            form.add_error("email", "No organization on this Chorus uses single sign-on for "
                                    f"{email.rsplit('@', 1)[-1]}. Sign in with your password, "
                                    "or ask your administrator.")
        else:
            kind = "oidc" if provider.protocol == IdentityProvider.Protocol.OIDC else "saml"
            target = reverse(f"identity-sso:{kind}-login", args=[provider.organization.slug])
            from urllib.parse import urlencode

            # A page, not a redirect: the form's CSP (form-action 'self') would stop a
            # redirect chain that ends at the IdP; a refresh is an ordinary navigation.
            return render(request, "identity/sso_redirect.html", {
                "url": f"{target}?{urlencode({'email': email, 'next': next_url})}",
                "provider": provider})
    return render(request, "identity/sso_start.html", {"form": form, "next": next_url})


# --------------------------------------------------------------------------- OpenID Connect


def oidc_login(request: HttpRequest, slug: str) -> HttpResponse:
    provider = provider_for_slug(slug=slug, protocol=IdentityProvider.Protocol.OIDC)
    if provider is None:
        return _failure(request, "This organization does not sign in with OpenID Connect.",
                        status=404)
    testing = request.GET.get("test") == "1"
    if testing and not _is_org_admin(request, provider):
        return _failure(request, "Only this organization's administrators can test the "
                                 "connection.", status=403)
    if not testing and not provider.enabled:
        return _failure(request, f"Single sign-on is turned off for {provider.organization}.")
    if not provider.oidc_metadata:
        return _failure(request, "Single sign-on is not fully set up yet (no discovery "
                                 "document). Ask your administrator.")
    flow = oidc.new_flow()
    flows = {k: v for k, v in request.session.get(OIDC_FLOWS_KEY, {}).items()
             if time.time() - v.get("at", 0) < FLOW_MAX_AGE}
    flows[flow["state"]] = {
        "provider": provider.pk, "nonce": flow["nonce"], "verifier": flow["verifier"],
        "next": _safe_next(request, request.GET.get("next")), "test": testing,
        "actor": request.user.pk if testing else None, "at": time.time(),
    }
    request.session[OIDC_FLOWS_KEY] = dict(list(flows.items())[-5:])
    url = oidc.authorization_url(provider=provider, flow=flow,
                                 redirect_uri=oidc_redirect_uri(slug),
                                 login_hint=(request.GET.get("email") or "")[:254])
    return redirect(url)


def oidc_callback(request: HttpRequest, slug: str) -> HttpResponse:
    flows = request.session.get(OIDC_FLOWS_KEY, {})
    state = request.GET.get("state", "")
    flow = flows.pop(state, None) if state else None
    request.session[OIDC_FLOWS_KEY] = flows
    if flow is None or time.time() - flow.get("at", 0) > FLOW_MAX_AGE:
        return _failure(request, "This sign-in was not started from this browser, or it took "
                                 "too long. Start again from the sign-in page.")
    provider = IdentityProvider.objects.select_related("organization").filter(
        pk=flow["provider"]).first()
    if provider is None or provider.organization.slug != slug \
            or provider.protocol != IdentityProvider.Protocol.OIDC:
        return _failure(request, "This sign-in belongs to another organization.")
    try:
        if request.GET.get("error"):
            description = (request.GET.get("error_description") or "")[:200]
            reason = request.GET["error"][:60] + (f": {description}" if description else "")
            raise SsoError(f"The identity provider refused the sign-in ({reason}).")
        code = request.GET.get("code", "")
        if not code:
            raise SsoError("The identity provider sent no authorization code.")
        tokens = oidc.exchange_code(provider=provider, code=code, verifier=flow["verifier"],
                                    redirect_uri=oidc_redirect_uri(slug))
        claims = oidc.validate_id_token(provider=provider, id_token=tokens["id_token"],
                                        nonce=flow["nonce"])
        try:
            extra = oidc.userinfo(provider=provider,
                                  access_token=str(tokens.get("access_token") or ""))
        except SsoError as exc:
            # The ID token is what proves the sign-in; userinfo only adds claims.
            logger.info("OIDC userinfo unavailable for %s: %s", slug, exc.message)
            extra = {}
        if extra and extra.get("sub") not in (None, claims["sub"]):
            raise SsoError("The identity provider's userinfo is about someone else.")
        merged = {**extra, **claims}
        if flow.get("test"):
            return _test_done(request, provider, actor_id=flow.get("actor"), claims=merged)
        attributes = services.attributes_from_claims(provider=provider, claims=merged,
                                                     subject=str(claims["sub"]))
        mfa = services.mfa_from_oidc(provider=provider, claims=claims)
        user = services.sso_login_complete(provider=provider, attributes=attributes, mfa=mfa)
    except DomainError as exc:
        logger.info("OIDC sign-in refused for %s: %s", slug, exc.message)
        if flow.get("test"):
            return _test_done(request, provider, actor_id=flow.get("actor"), claims=None,
                              error=exc.message)
        return _failure(request, exc.message)
    return _finish(request, provider, user, mfa=mfa, next_url=flow["next"])


# --------------------------------------------------------------------------- SAML 2.0


def saml_metadata(request: HttpRequest, slug: str) -> HttpResponse:
    """The SP metadata for the IdP administrator (entity id, ACS URL, NameID format)."""
    from chorus.people.models import Organization

    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        return _failure(request, "No such organization.", status=404)
    response = HttpResponse(saml.sp_metadata_xml(organization),
                            content_type="application/samlmetadata+xml")
    response["Content-Disposition"] = f'attachment; filename="chorus-{slug}-sp-metadata.xml"'
    return response


def saml_login(request: HttpRequest, slug: str) -> HttpResponse:
    provider = provider_for_slug(slug=slug, protocol=IdentityProvider.Protocol.SAML)
    if provider is None:
        return _failure(request, "This organization does not sign in with SAML.", status=404)
    testing = request.GET.get("test") == "1"
    if testing and not _is_org_admin(request, provider):
        return _failure(request, "Only this organization's administrators can test the "
                                 "connection.", status=403)
    if not testing and not provider.enabled:
        return _failure(request, f"Single sign-on is turned off for {provider.organization}.")
    flow_id = secrets.token_urlsafe(16)
    try:
        # The request id is only known once the request is built: sign the relay afterwards.
        location, request_id = saml.authn_request(
            organization=provider.organization, metadata_xml=provider.saml_metadata_xml,
            idp_entity=provider.saml_idp_entity_id, relay_state="")
        relay = signing.dumps({"o": provider.organization_id, "r": request_id, "f": flow_id,
                               "n": _safe_next(request, request.GET.get("next")),
                               "t": testing, "a": request.user.pk if testing else None},
                              salt=RELAY_SALT, compress=True)
        location = _with_relay_state(location, relay)
    except SsoError as exc:
        return _failure(request, exc.message)
    response = redirect(location)
    if request.is_secure():
        # Binds the answer to this browser (login CSRF); SameSite=None because the IdP POSTs.
        response.set_cookie(SAML_FLOW_COOKIE, flow_id, max_age=FLOW_MAX_AGE, secure=True,
                            httponly=True, samesite="None")
    return response


def _with_relay_state(location: str, relay: str) -> str:
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(location)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k != "RelayState"]
    # RelayState is not covered by a signature here (AuthnRequests are not signed).
    query.append(("RelayState", relay))
    return urlunsplit(parts._replace(query=urlencode(query)))


@csrf_exempt  # the IdP POSTs the assertion from its own origin; the assertion is the proof
@require_POST
def saml_acs(request: HttpRequest, slug: str) -> HttpResponse:
    saml_response = request.POST.get("SAMLResponse", "")
    try:
        relay = signing.loads(request.POST.get("RelayState", ""), salt=RELAY_SALT,
                              max_age=FLOW_MAX_AGE)
    except signing.BadSignature:
        return _failure(request, "This sign-in was not started from Chorus, or it took too "
                                 "long. Start again from the sign-in page.")
    provider = IdentityProvider.objects.select_related("organization").filter(
        organization_id=relay.get("o"), protocol=IdentityProvider.Protocol.SAML).first()
    if provider is None or provider.organization.slug != slug:
        return _failure(request, "This sign-in belongs to another organization.")
    if request.is_secure() and request.COOKIES.get(SAML_FLOW_COOKIE) != relay.get("f"):
        return _failure(request, "This sign-in was started in another browser. Start again.")
    testing = bool(relay.get("t"))
    try:
        if not saml_response:
            raise SsoError("The identity provider sent no SAMLResponse.")
        result = saml.parse_response(organization=provider.organization,
                                     metadata_xml=provider.saml_metadata_xml,
                                     saml_response=saml_response, request_id=relay["r"])
        if result.issuer and result.issuer != provider.saml_idp_entity_id:
            raise SsoError("The assertion comes from another identity provider.")
        if testing:
            claims = {"NameID": result.name_id, "AuthnContextClassRef": list(
                result.authn_contexts), **result.attributes}
            response = _test_done(request, provider, actor_id=relay.get("a"), claims=claims)
        else:
            attributes = services.attributes_from_claims(
                provider=provider, claims=result.attributes, subject=result.name_id)
            mfa = services.mfa_from_saml(provider=provider, contexts=result.authn_contexts,
                                         attributes=result.attributes)
            user = services.sso_login_complete(
                provider=provider, attributes=attributes, mfa=mfa,
                assertion=(result.assertion_id, result.expires_at))
            response = _finish(request, provider, user, mfa=mfa, next_url=relay.get("n") or "/")
    except DomainError as exc:
        logger.info("SAML sign-in refused for %s: %s", slug, exc.message)
        if testing:
            return _test_done(request, provider, actor_id=relay.get("a"), claims=None,
                              error=exc.message)
        return _failure(request, exc.message)
    response.delete_cookie(SAML_FLOW_COOKIE)
    return response
