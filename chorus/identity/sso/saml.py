"""SAML 2.0 service provider, per organization, on pysaml2 (signatures checked by xmlsec1).

Each organization is its own service provider: entity id
`<SITE_URL>/sso/saml/<slug>/metadata/` and assertion consumer service
`<SITE_URL>/sso/saml/<slug>/acs/`. A pysaml2 configuration is built for each request from the
organization's `IdentityProvider` (the IdP metadata is stored XML), so two organizations never
share keys, metadata or trust. Assertions must be signed (`want_assertions_signed`); unsolicited
(IdP-initiated) responses are refused; the audience, destination, validity window and
InResponseTo are checked by pysaml2; replays are refused by `SamlAssertionSeen`.
"""

from __future__ import annotations

import datetime
import logging
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

from chorus.common.errors import InvalidInput
from chorus.common.http import OutboundError, fetch
from chorus.identity.sso.errors import SsoError
from chorus.people.models import Organization

if TYPE_CHECKING:
    from saml2.client import Saml2Client
    from saml2.config import SPConfig

# pysaml2 (and the XML schemas it loads) is imported inside the functions that use it: at
# module level it added seconds to the start of every process (web, worker, CLI), although
# only the SAML pages need it.
BINDING_HTTP_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
BINDING_HTTP_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
NAMEID_FORMAT_EMAILADDRESS = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"

# xmlschema (used by pysaml2) logs every schema it loads at INFO.
logging.getLogger("xmlschema").setLevel(logging.WARNING)

METADATA_MAX_BYTES = 2 * 1024 * 1024
ACCEPTED_TIME_DIFF = 60  # seconds of clock skew tolerated between the IdP and us


def xmlsec_binary() -> str:
    return getattr(settings, "SAML_XMLSEC_BINARY", "") or shutil.which("xmlsec1") or \
        "/usr/bin/xmlsec1"


def sp_entity_id(organization: Organization) -> str:
    return f"{settings.SITE_URL}/sso/saml/{organization.slug}/metadata/"


def acs_url(organization: Organization) -> str:
    return f"{settings.SITE_URL}/sso/saml/{organization.slug}/acs/"


def _config(organization: Organization, idp_metadata_xml: str = "") -> SPConfig:
    from saml2.config import SPConfig

    conf: dict[str, Any] = {
        "entityid": sp_entity_id(organization),
        "xmlsec_binary": xmlsec_binary(),
        "allow_unknown_attributes": True,
        "accepted_time_diff": ACCEPTED_TIME_DIFF,
        "service": {
            "sp": {
                "name": f"Chorus ({organization.name})",
                "endpoints": {
                    "assertion_consumer_service": [(acs_url(organization), BINDING_HTTP_POST)],
                },
                "allow_unsolicited": False,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "authn_requests_signed": False,
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                "name_id_format_allow_create": True,
            }
        },
    }
    if idp_metadata_xml:
        conf["metadata"] = {"inline": [idp_metadata_xml]}
    config = SPConfig()
    config.load(conf)
    return config


def sp_metadata_xml(organization: Organization) -> str:
    """The metadata the IdP administrator uploads (entity id, ACS, NameID format)."""
    from saml2.metadata import entity_descriptor, metadata_tostring_fix

    descriptor = entity_descriptor(_config(organization))
    return metadata_tostring_fix(descriptor, {}, descriptor.to_string()).decode()


def idp_entity_id(organization: Organization, metadata_xml: str) -> str:
    """Check IdP metadata and return the IdP's entity id. It must describe exactly one IdP
    with a single sign-on service (Redirect or POST binding) and a signing certificate."""
    text = (metadata_xml or "").strip()
    if not text.startswith("<"):
        raise InvalidInput("Paste or upload the identity provider's SAML metadata (an XML "
                           "document starting with <EntityDescriptor …>).", field="metadata")
    try:
        config = _config(organization, text)
    except Exception as exc:  # pysaml2 raises many types for unreadable XML
        raise InvalidInput(f"The SAML metadata could not be read ({type(exc).__name__}). "
                           "Download it again from the identity provider.",
                           field="metadata") from None
    idps = list(config.metadata.identity_providers()) if config.metadata else []
    if len(idps) != 1:
        raise InvalidInput("The metadata must describe exactly one identity provider "
                           f"(found {len(idps)}).", field="metadata")
    entity_id = idps[0]
    services = config.metadata.single_sign_on_service(entity_id, BINDING_HTTP_REDIRECT) or \
        config.metadata.single_sign_on_service(entity_id, BINDING_HTTP_POST)
    if not services:
        raise InvalidInput("The metadata has no SingleSignOnService with the HTTP-Redirect or "
                           "HTTP-POST binding.", field="metadata")
    if not config.metadata.certs(entity_id, "idpsso", "signing"):
        raise InvalidInput("The metadata carries no signing certificate: Chorus only accepts "
                           "signed assertions.", field="metadata")
    return entity_id


def fetch_idp_metadata(url: str) -> str:
    from chorus.identity.sso.oidc import check_endpoint_url

    check_endpoint_url(url, field="metadata_url")
    try:
        response = fetch(url, max_bytes=METADATA_MAX_BYTES, deadline=20.0)
    except OutboundError:
        raise InvalidInput("Chorus could not download the metadata from that address. Check it "
                           "or upload the XML file instead.", field="metadata_url") from None
    if response.status_code >= 400:
        raise InvalidInput(f"The metadata address answered HTTP {response.status_code}.",
                           field="metadata_url")
    return response.content.decode("utf-8", errors="replace")


def _client(organization: Organization, metadata_xml: str) -> Saml2Client:
    from saml2.client import Saml2Client

    return Saml2Client(config=_config(organization, metadata_xml))


def authn_request(*, organization: Organization, metadata_xml: str, idp_entity: str,
                  relay_state: str) -> tuple[str, str]:
    """(URL to send the browser to, request id) for an SP-initiated sign-in."""
    try:
        client = _client(organization, metadata_xml)
        binding = BINDING_HTTP_REDIRECT
        if not client.metadata.single_sign_on_service(idp_entity, BINDING_HTTP_REDIRECT):
            raise SsoError("The identity provider offers no HTTP-Redirect sign-in; Chorus "
                           "needs it.")
        request_id, info = client.prepare_for_authenticate(
            entityid=idp_entity, relay_state=relay_state, binding=binding)
    except SsoError:
        raise
    except Exception as exc:  # stored metadata pysaml2 can no longer use
        raise SsoError("Single sign-on is not set up correctly (the identity provider's "
                       f"metadata could not be used: {type(exc).__name__}). Ask your "
                       "administrator.") from None
    location = dict(info["headers"])["Location"]
    return location, request_id


@dataclass(frozen=True)
class SamlResult:
    name_id: str
    attributes: dict[str, list[str]]
    assertion_id: str
    expires_at: datetime.datetime
    authn_contexts: tuple[str, ...]
    issuer: str


def _refusal(exc: Exception) -> str:
    from saml2.sigver import SignatureError
    from saml2.validate import ResponseLifetimeExceed, ToEarly

    text = str(exc)
    if isinstance(exc, ResponseLifetimeExceed) or "lifetime" in text.lower():
        return "The identity provider's sign-in has expired. Sign in again."
    if "Condition not OK" in text:
        # pysaml2's word for a validity window that ended before it began.
        return ("The identity provider's sign-in has expired (its validity window is over). "
                "Sign in again.")
    if isinstance(exc, ToEarly):
        return ("The sign-in is not valid yet: the clocks of the identity provider and this "
                "server disagree.")
    if "AudienceRestrictions" in text:
        return ("The sign-in was meant for another service provider (wrong audience). Check the "
                "entity id in the identity provider's settings.")
    if isinstance(exc, SignatureError) or "signature" in text.lower() or "signed" in \
            text.lower():
        return ("The identity provider's assertion is not signed with its key. Chorus only "
                "accepts signed assertions: turn on assertion signing in the identity provider.")
    if "unsolicited" in type(exc).__name__.lower() or "InResponseTo" in text:
        return "The sign-in does not answer a request from this page. Start again."
    if "destination" in text.lower():
        return "The sign-in was sent to another address than this organization's."
    if "status" in type(exc).__name__.lower():
        return "The identity provider refused the sign-in."
    return f"The identity provider's answer was refused ({type(exc).__name__})."


def parse_response(*, organization: Organization, metadata_xml: str, saml_response: str,
                   request_id: str) -> SamlResult:
    """Check a POSTed SAMLResponse that must answer `request_id`; SsoError otherwise."""
    from saml2.sigver import SignatureError

    client = _client(organization, metadata_xml)
    try:
        response = client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding={request_id: "/"})
    except Exception as exc:  # pysaml2 signals each failed check with its own exception
        raise SsoError(_refusal(exc)) from None
    if response is None or response.assertion is None:
        raise SsoError("The identity provider's answer held no assertion.")
    assertion = response.assertion
    if not getattr(assertion, "signature", None):
        # want_assertions_signed already refuses this; keep the rule visible here too.
        raise SsoError(_refusal(SignatureError("assertion not signed")))
    expires = response.not_on_or_after or 0
    expires_at = (datetime.datetime.fromtimestamp(expires, tz=datetime.UTC) if expires
                  else datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(hours=1))
    contexts = tuple(str(ref) for ref, *_ in (response.authn_info() or []) if ref)
    issuer = response.issuer() or ""
    name_id = response.name_id.text.strip() if response.name_id is not None and \
        response.name_id.text else ""
    return SamlResult(
        name_id=name_id,
        attributes={str(k): [str(v) for v in vals] for k, vals in (response.ava or {}).items()},
        assertion_id=str(assertion.id),
        expires_at=expires_at,
        authn_contexts=contexts,
        issuer=issuer,
    )
