"""OpenID Connect relying party, per organization (authorization code flow with PKCE).

Each organization has its own provider, so nothing here reads settings: every function takes
the organization's `IdentityProvider`. The protocol pieces come from maintained libraries:
PKCE from authlib (RFC 7636), ID-token signature and claims checks from joserfc (RFC 7515,
7517, 7519). Every request to the provider (discovery, token, JWKS, userinfo) goes through
`chorus.common.http`, the guarded outbound client.
"""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from chorus.common.http import OutboundError, fetch
from chorus.identity.sso.errors import SsoError
from chorus.identity.sso.models import IdentityProvider
from chorus.identity.sso.secrets import decrypt

METADATA_MAX_BYTES = 512 * 1024
DEADLINE = 15.0
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
              "EdDSA"]
LEEWAY_SECONDS = 60
REQUIRED_METADATA = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


def _is_local(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in {"127.0.0.1", "localhost", "::1"}


def check_endpoint_url(url: str, *, field: str) -> None:
    """Provider endpoints must be https (plain http only for a provider on this machine)."""
    from chorus.common.errors import InvalidInput

    parts = urlsplit(url or "")
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise InvalidInput(f"“{url}” is not a web address; paste the full https:// URL.",
                           field=field)
    if parts.scheme == "http" and not _is_local(url):
        raise InvalidInput("Identity provider addresses must use https://.", field=field)


def _get_json(url: str, *, what: str, headers: dict[str, str] | None = None, **kwargs: Any
              ) -> dict[str, Any]:
    try:
        response = fetch(url, max_bytes=METADATA_MAX_BYTES, deadline=DEADLINE,
                         headers={"Accept": "application/json", **(headers or {})}, **kwargs)
    except OutboundError as exc:
        if exc.kind in {"refused", "unreachable"}:
            raise SsoError(f"Chorus could not reach the identity provider's {what}. Check the "
                           "address and that the provider is reachable from this server.") from None
        raise SsoError(f"The identity provider's {what} did not answer in time or was too "
                       "large.") from None
    if response.status_code >= 400:
        detail = ""
        try:
            body = response.json()
            if isinstance(body, dict) and body.get("error"):
                detail = f" ({str(body.get('error'))[:60]}: "
                detail += f"{str(body.get('error_description') or '')[:200]})"
        except ValueError:
            pass
        raise SsoError(f"The identity provider's {what} answered HTTP {response.status_code}"
                       f"{detail}.")
    try:
        data = response.json()
    except ValueError:
        raise SsoError(f"The identity provider's {what} did not send JSON.") from None
    if not isinstance(data, dict):
        raise SsoError(f"The identity provider's {what} did not send a JSON object.")
    return data


def discover(discovery_url: str) -> dict[str, Any]:
    """Fetch and check the provider's discovery document (`/.well-known/openid-configuration`).
    Raises SsoError saying what is missing."""
    check_endpoint_url(discovery_url, field="discovery_url")
    metadata = _get_json(discovery_url, what="discovery document")
    missing = [k for k in REQUIRED_METADATA if not isinstance(metadata.get(k), str)]
    if missing:
        raise SsoError("The discovery document lacks " + ", ".join(missing) + ". Use the "
                       "provider's OpenID Connect discovery URL (it ends in "
                       "/.well-known/openid-configuration).")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        check_endpoint_url(metadata[key], field="discovery_url")
    if "code" not in metadata.get("response_types_supported", ["code"]):
        raise SsoError("This provider does not offer the authorization code flow.")
    keep = (*REQUIRED_METADATA, "userinfo_endpoint", "token_endpoint_auth_methods_supported",
            "code_challenge_methods_supported", "end_session_endpoint")
    return {k: metadata[k] for k in keep if k in metadata}


def new_flow() -> dict[str, str]:
    """Fresh state, nonce and PKCE verifier for one sign-in."""
    return {"state": secrets.token_urlsafe(24), "nonce": secrets.token_urlsafe(24),
            "verifier": secrets.token_urlsafe(48)}


def authorization_url(*, provider: IdentityProvider, flow: dict[str, str], redirect_uri: str,
                      login_hint: str = "") -> str:
    metadata = provider.oidc_metadata
    params = {
        "response_type": "code",
        "client_id": provider.oidc_client_id,
        "redirect_uri": redirect_uri,
        "scope": provider.oidc_scopes or "openid email profile",
        "state": flow["state"],
        "nonce": flow["nonce"],
        "code_challenge": create_s256_code_challenge(flow["verifier"]),
        "code_challenge_method": "S256",
    }
    if login_hint:
        params["login_hint"] = login_hint
    endpoint = metadata["authorization_endpoint"]
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params)


def exchange_code(*, provider: IdentityProvider, code: str, verifier: str, redirect_uri: str
                  ) -> dict[str, Any]:
    """Trade the authorization code (and the PKCE verifier) for tokens."""
    secret = decrypt(provider.oidc_client_secret_encrypted) if provider.has_client_secret else ""
    if secret is None:
        raise SsoError("The stored client secret can no longer be read (the server's secret key "
                       "changed). An administrator must enter the client secret again.")
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": verifier, "client_id": provider.oidc_client_id}
    methods = provider.oidc_metadata.get("token_endpoint_auth_methods_supported") or [
        "client_secret_basic"]
    kwargs: dict[str, Any] = {}
    if secret and "client_secret_basic" in methods:
        kwargs["auth"] = (provider.oidc_client_id, secret)
    elif secret:
        data["client_secret"] = secret
    tokens = _get_json(provider.oidc_metadata["token_endpoint"], what="token endpoint",
                       method="POST", data=data, **kwargs)
    if not isinstance(tokens.get("id_token"), str):
        raise SsoError("The identity provider sent no ID token. Add the “openid” scope.")
    return tokens


def _claim_check(error: JoseError) -> str:
    text = str(getattr(error, "description", "") or error)
    name = getattr(error, "claim", "")
    if name == "aud" or "'aud'" in text:
        return ("The sign-in was meant for another application (wrong audience). Check the "
                "client id in the single sign-on settings.")
    if name == "exp" or "expired" in text.lower():
        return "The identity provider's sign-in has expired. Sign in again."
    if name == "iss" or "'iss'" in text:
        return "The sign-in came from another issuer than the one configured."
    if name == "nonce" or "'nonce'" in text:
        return "The sign-in does not belong to this browser session. Start again."
    return f"The identity provider's ID token was refused ({text[:120]})."


def validate_id_token(*, provider: IdentityProvider, id_token: str, nonce: str
                      ) -> dict[str, Any]:
    """Verify the ID token's signature against the provider's published keys and its claims
    (issuer, audience = our client id, expiry, nonce). Returns the claims."""
    jwks = _get_json(provider.oidc_metadata["jwks_uri"], what="key set (JWKS)")
    try:
        keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
    except (JoseError, ValueError, KeyError, TypeError):
        raise SsoError("The identity provider's key set (JWKS) could not be read.") from None
    try:
        token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
    except JoseError as exc:
        raise SsoError("The ID token's signature does not verify with the identity "
                       f"provider's keys ({type(exc).__name__}).") from None
    except ValueError:
        raise SsoError("The identity provider sent an ID token that is not a signed JWT.") \
            from None
    claims = token.claims
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": provider.oidc_metadata["issuer"]},
        aud={"essential": True, "value": provider.oidc_client_id},
        exp={"essential": True},
        sub={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        raise SsoError(_claim_check(exc)) from None
    aud = claims.get("aud")
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != provider.oidc_client_id:
        raise SsoError("The sign-in was meant for another application (wrong audience).")
    return dict(claims)


def userinfo(*, provider: IdentityProvider, access_token: str) -> dict[str, Any]:
    """The userinfo endpoint's claims, or {} when the provider has none."""
    endpoint = provider.oidc_metadata.get("userinfo_endpoint")
    if not endpoint or not access_token:
        return {}
    return _get_json(endpoint, what="userinfo endpoint",
                     headers={"Authorization": f"Bearer {access_token}"})


def json_safe(claims: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(claims, default=str))
