"""A real SAML 2.0 identity provider for the tests: pysaml2's IdP (`saml2.server.Server`)
behind a small WSGI app in a thread, on a port the OS picks, with its own key and certificate
generated at start. It is the peer Chorus talks to, not Chorus code.

GET  /sso/redirect   HTTP-Redirect binding: reads the AuthnRequest, shows a sign-in form
POST /sso/login      signs the user in and answers with the HTTP-POST form to the SP's ACS
GET  /metadata       the IdP metadata (entity id, SSO service, signing certificate)

What it asserts per user is in `users` (a dict the test may change while it runs):
{"<username>": {"password", "email", "attributes": {...}, "authn_context": "...",
 "sign_assertion": True, "lifetime_minutes": 15, "audience": None}}
"""

from __future__ import annotations

import datetime
import html
import shutil
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor, metadata_tostring_fix
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server

PASSWORD_CONTEXT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
MFA_CONTEXT = "http://schemas.microsoft.com/claims/multipleauthn"


def make_keypair(directory: Path, common_name: str) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    key_file, cert_file = directory / "idp.key", directory / "idp.crt"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class SamlIdP:
    def __init__(self, directory: Path, *, sp_metadata: list[str], name: str = "idp") -> None:
        self.directory = directory
        self.sp_metadata = list(sp_metadata)
        self.users: dict[str, dict[str, Any]] = {}
        self.key_file, self.cert_file = make_keypair(directory, f"Test IdP {name}")
        self.httpd = make_server("127.0.0.1", 0, self.app, server_class=_Server,
                                 handler_class=_Quiet)
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        self.entity_id = f"{self.base}/metadata"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    # ------------------------------------------------------------------ configuration

    def config(self, lifetime_minutes: int = 15) -> IdPConfig:
        conf = {
            "entityid": self.entity_id,
            "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
            "key_file": str(self.key_file),
            "cert_file": str(self.cert_file),
            "service": {"idp": {
                "endpoints": {"single_sign_on_service": [
                    (f"{self.base}/sso/redirect", BINDING_HTTP_REDIRECT)]},
                "policy": {"default": {"lifetime": {"minutes": lifetime_minutes},
                                       "attribute_restrictions": None,
                                       "name_form": NAME_FORMAT_BASIC}},
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                "want_authn_requests_signed": False,
            }},
            "metadata": {"inline": self.sp_metadata} if self.sp_metadata else {},
            "accepted_time_diff": 60,
        }
        config = IdPConfig()
        config.load(conf)
        return config

    def server(self, lifetime_minutes: int = 15) -> Server:
        return Server(config=self.config(lifetime_minutes))

    def metadata_xml(self) -> str:
        descriptor = entity_descriptor(self.config())
        return metadata_tostring_fix(descriptor, {}, descriptor.to_string()).decode()

    def start(self) -> SamlIdP:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # ------------------------------------------------------------------ protocol

    def respond(self, *, saml_request: str, username: str, binding: str = BINDING_HTTP_REDIRECT,
                **overrides: Any) -> tuple[str, str]:
        """(ACS URL, base64 SAMLResponse) answering `saml_request` for `username`."""
        spec = {**self.users[username], **overrides}
        server = self.server(spec.get("lifetime_minutes", 15))
        request = server.parse_authn_request(saml_request, binding).message
        in_response_to = overrides.pop("in_response_to", request.id)
        audience = overrides.pop("audience", None) or request.issuer.text
        return self.answer(in_response_to=in_response_to,
                           acs=request.assertion_consumer_service_url, audience=audience,
                           username=username, **overrides)

    def answer(self, *, in_response_to: str, acs: str, audience: str, username: str,
               **overrides: Any) -> tuple[str, str]:
        """A signed response for any request id, ACS and audience (an IdP that misbehaves or
        answers a request that was not sent to it)."""
        spec = {**self.users[username], **overrides}
        server = self.server(spec.get("lifetime_minutes", 15))
        audience = spec.get("audience") or audience
        response = server.create_authn_response(
            identity=spec.get("attributes", {}),
            in_response_to=spec.get("in_response_to", in_response_to),
            destination=acs,
            sp_entity_id=audience,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=spec["email"]),
            authn={"class_ref": spec.get("authn_context", PASSWORD_CONTEXT),
                   "authn_auth": self.entity_id},
            sign_assertion=spec.get("sign_assertion", True),
            sign_response=False,
        )
        import base64

        return acs, base64.b64encode(str(response).encode()).decode()

    def app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metadata":
            start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
            return [self.metadata_xml().encode()]
        if path == "/sso/redirect":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            saml_request = query.get("SAMLRequest", [""])[0]
            relay = query.get("RelayState", [""])[0]
            page = ("<!doctype html><html><head><title>Test SAML IdP</title></head><body>"
                    "<h1>Test SAML identity provider</h1><form method='post' action='/sso/login'>"
                    f"<input type='hidden' name='SAMLRequest' value='{html.escape(saml_request)}'>"
                    f"<input type='hidden' name='RelayState' value='{html.escape(relay)}'>"
                    "<label for='u'>Username</label><input id='u' name='username'>"
                    "<label for='p'>Password</label><input id='p' name='password' type='password'>"
                    "<button type='submit'>Sign in at SAML IdP</button></form></body></html>")
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [page.encode()]
        if path == "/sso/login" and environ["REQUEST_METHOD"] == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
            user = self.users.get(form.get("username", ""))
            if user is None or user["password"] != form.get("password"):
                start_response("401 Unauthorized", [("Content-Type", "text/plain")])
                return [b"Wrong username or password."]
            acs, saml_response = self.respond(saml_request=form["SAMLRequest"],
                                              username=form["username"])
            page = ("<!doctype html><html><head><title>Signed in</title></head>"
                    "<body><form id='f' method='post' action='" + html.escape(acs) + "'>"
                    f"<input type='hidden' name='SAMLResponse' value='{saml_response}'>"
                    f"<input type='hidden' name='RelayState' "
                    f"value='{html.escape(form.get('RelayState', ''))}'>"
                    "<button type='submit'>Continue to the service</button></form>"
                    "<script>document.getElementById('f').submit()</script></body></html>")
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [page.encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
