"""The Bot Framework, both ways: validating what the connector sends us (JWT), and calling
the connector (client-credentials token, activities, members).

Inbound tokens are checked as Microsoft's "Authentication with the Bot Connector API"
requires: a Bearer JWT signed with a key from the Bot Framework OpenID metadata
(`TEAMS_OPENID_METADATA_URL` → `jwks_uri`) whose endorsements include the activity's
channel, issuer `https://api.botframework.com`, audience our Microsoft App ID, within its
validity (five minutes of clock skew), and a `serviceUrl` claim equal to the activity's.

Every request goes through `chorus.common.http` (the service URL comes from the activity).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from chorus.common.http import OutboundError, fetch

ISSUER = "https://api.botframework.com"
SCOPE = "https://api.botframework.com/.default"
CLOCK_SKEW_SECONDS = 300
KEYS_CACHE_SECONDS = 3600
MAX_BYTES = 512 * 1024


class TeamsError(Exception):
    def __init__(self, message: str, *, retryable: bool = True, status: int | None = None) -> None:
        super().__init__(message)
        self.message, self.retryable, self.status = message, retryable, status


class TokenInvalid(Exception):
    """The inbound request is not from the Bot Framework for this bot."""


def _get_json(url: str) -> Any:
    try:
        response = fetch(url, max_bytes=MAX_BYTES, deadline=15)
    except OutboundError as exc:
        raise TokenInvalid(f"The Bot Framework signing keys could not be read: {exc.message}")
    if response.status_code != 200:
        raise TokenInvalid(f"The Bot Framework metadata answered HTTP {response.status_code}.")
    try:
        return response.json()
    except ValueError as exc:
        raise TokenInvalid("The Bot Framework metadata is not JSON.") from exc


def _signing_keys(*, refresh: bool = False) -> dict[str, dict[str, Any]]:
    """The JWKs of the OpenID metadata by key id (cached; refreshed on an unknown kid)."""
    cache_key = f"integrations:teams:jwks:{settings.TEAMS_OPENID_METADATA_URL}"
    keys = None if refresh else cache.get(cache_key)
    if keys is None:
        metadata = _get_json(settings.TEAMS_OPENID_METADATA_URL)
        jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
        if not jwks_uri:
            raise TokenInvalid("The Bot Framework metadata has no jwks_uri.")
        jwks = _get_json(jwks_uri)
        keys = {k["kid"]: k for k in (jwks.get("keys") or [])
                if isinstance(k, dict) and k.get("kid")}
        cache.set(cache_key, keys, KEYS_CACHE_SECONDS)
    return keys


def _unverified_header(token: str) -> dict[str, Any]:
    """The JOSE header, read only to pick the key (the signature is checked with that key)."""
    import base64

    try:
        first = token.split(".", 1)[0]
        header = json.loads(base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)))
    except (ValueError, UnicodeDecodeError) as exc:
        raise TokenInvalid("The token is not a JWT.") from exc
    if not isinstance(header, dict):
        raise TokenInvalid("The token is not a JWT.")
    return header


def validate_request(*, authorization: str, activity: dict[str, Any]) -> dict[str, Any]:
    """The token's claims if the request really comes from the Bot Framework for our bot."""
    app_id = settings.TEAMS_APP_ID
    if not app_id:
        raise TokenInvalid("Teams is not set up on this server (TEAMS_APP_ID).")
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise TokenInvalid("No Bearer token.")
    header = _unverified_header(token)
    if header.get("alg") != "RS256":
        raise TokenInvalid("The token is not signed with RS256.")
    kid = str(header.get("kid", ""))
    keys = _signing_keys()
    if kid not in keys:
        keys = _signing_keys(refresh=True)  # Microsoft rolled its keys
    jwk = keys.get(kid)
    if jwk is None:
        raise TokenInvalid("The token is signed with an unknown key.")
    channel = str(activity.get("channelId") or "")
    endorsements = jwk.get("endorsements")
    if endorsements is not None and channel not in endorsements:
        raise TokenInvalid("The signing key is not endorsed for this channel.")
    try:
        key = RSAKey.import_key({k: v for k, v in jwk.items() if k != "endorsements"})
        decoded = jwt.decode(token, key, algorithms=["RS256"])
        claims: dict[str, Any] = dict(decoded.claims)
        jwt.JWTClaimsRegistry(
            leeway=CLOCK_SKEW_SECONDS,
            iss={"essential": True, "value": ISSUER},
            aud={"essential": True, "value": app_id},
            exp={"essential": True},
        ).validate(claims)
    except (JoseError, ValueError, TypeError) as exc:
        raise TokenInvalid(f"The token is not valid: {type(exc).__name__} {exc}") from exc
    if claims.get("serviceUrl") and claims["serviceUrl"] != activity.get("serviceUrl"):
        raise TokenInvalid("The token was issued for another service URL.")
    return claims


# --------------------------------------------------------------------------- outbound


def bot_token() -> str:
    """A connector access token (client credentials), cached until shortly before expiry."""
    cache_key = f"integrations:teams:token:{settings.TEAMS_APP_ID}"
    token = cache.get(cache_key)
    if token:
        return str(token)
    if not settings.TEAMS_APP_ID or not settings.TEAMS_APP_PASSWORD:
        raise TeamsError(
            gettext("Teams is not set up on this server (TEAMS_APP_ID, TEAMS_APP_PASSWORD)."),
            retryable=False,
        )
    try:
        response = fetch(settings.TEAMS_TOKEN_URL, method="POST", max_bytes=MAX_BYTES,
                         deadline=15, data={
                             "grant_type": "client_credentials",
                             "client_id": settings.TEAMS_APP_ID,
                             "client_secret": settings.TEAMS_APP_PASSWORD, "scope": SCOPE})
    except OutboundError as exc:
        raise TeamsError(
            gettext("Microsoft's login service could not be reached: %(message)s")
            % {"message": exc.message}
        )
    if response.status_code != 200:
        raise TeamsError(
            gettext(
                "Microsoft's login service refused the bot's credentials (HTTP %(status_code)s)."
            )
            % {"status_code": response.status_code},
            retryable=response.status_code >= 500,
        )
    try:
        body = response.json()
        token = str(body["access_token"])
        expires = int(body.get("expires_in", 3600))
    except (ValueError, KeyError, TypeError) as exc:
        raise TeamsError(gettext("Microsoft's login service answered without a token.")) from exc
    cache.set(cache_key, token, max(60, expires - 300))
    return token


def _connector(method: str, service_url: str, path: str,
               body: dict[str, Any] | None = None) -> Any:
    url = service_url.rstrip("/") + path
    headers = {"Authorization": f"Bearer {bot_token()}", "Content-Type": "application/json"}
    try:
        response = fetch(url, method=method, headers=headers, max_bytes=MAX_BYTES, deadline=15,
                         data=json.dumps(body).encode() if body is not None else None)
    except OutboundError as exc:
        raise TeamsError(
            gettext("The Teams connector could not be reached: %(message)s")
            % {"message": exc.message}
        )
    if response.status_code in (401, 403):
        cache.delete(f"integrations:teams:token:{settings.TEAMS_APP_ID}")
    if not 200 <= response.status_code < 300:
        raise TeamsError(
            gettext("The Teams connector answered HTTP %(status_code)s.")
            % {"status_code": response.status_code},
            retryable=response.status_code in (401, 429) or response.status_code >= 500,
            status=response.status_code,
        )
    try:
        return response.json() if response.content else {}
    except ValueError:
        return {}


def _conv(conversation_id: str) -> str:
    return quote(conversation_id, safe="")


def send_activity(*, service_url: str, conversation_id: str, activity: dict[str, Any],
                  reply_to: str = "") -> dict[str, Any]:
    path = f"/v3/conversations/{_conv(conversation_id)}/activities"
    if reply_to:
        path += f"/{quote(reply_to, safe='')}"
    return dict(_connector("POST", service_url, path, activity) or {})


def update_activity(*, service_url: str, conversation_id: str, activity_id: str,
                    activity: dict[str, Any]) -> None:
    path = f"/v3/conversations/{_conv(conversation_id)}/activities/{quote(activity_id, safe='')}"
    _connector("PUT", service_url, path, {**activity, "id": activity_id})


def get_member(*, service_url: str, conversation_id: str, member_id: str) -> dict[str, Any]:
    path = f"/v3/conversations/{_conv(conversation_id)}/members/{quote(member_id, safe='')}"
    return dict(_connector("GET", service_url, path) or {})
