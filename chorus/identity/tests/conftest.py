"""Real identity-provider peers for the single sign-on tests.

`oidc_peer` is django-oauth-toolkit with OpenID Connect enabled, in its own process (see
peers/oidc_provider.py); `saml_idp_for(org)` is pysaml2's IdP in a thread with keys made for
the test (peers/saml_idp.py). Helpers drive a sign-in through them the way a browser would.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.conf import settings

from chorus.identity.tests.peers.saml_idp import MFA_CONTEXT, SamlIdP

PEERS = Path(__file__).resolve().parent / "peers"
PASSWORD = "idp-password-1"
NORTHWIND_CLIENT = ("chorus-northwind", "northwind-client-secret-123")
GLOBEX_CLIENT = ("chorus-globex", "globex-client-secret-456")


def oidc_users() -> dict:
    def user(email: str, **claims):
        return {"password": PASSWORD, "claims": {"email": email, "email_verified": True,
                                                  **claims}}

    past = int(time.time()) - 3600
    users = {
        "ada": user("ada@northwind.example", given_name="Ada", family_name="Lovelace",
                    name="Ada Lovelace", groups=["Chorus HR", "Everyone"], department="Research",
                    title="Engineer", locale="en-GB", location="London", amr=["pwd", "mfa"]),
        "bob": user("bob@northwind.example", name="Bob Byte", groups=["Everyone"],
                    amr=["pwd"]),
        "wrongaud": user("wa@northwind.example", name="Wrong Audience"),
        "expired": user("old@northwind.example", name="Old Token"),
        "disabled": user("dis@northwind.example", name="Dee Activated", active=False),
        "stranger": user("someone@unknown.example", name="Some One"),
        "unverified": user("unv@northwind.example", name="Un Verified"),
        "gus": user("gus@globex.example", name="Gus Globex"),
        "locked": user("locked@northwind.example", name="Locked Out"),
    }
    users["wrongaud"]["id_token_override"] = {"aud": "someone-else"}
    users["expired"]["id_token_override"] = {"exp": past, "iat": past - 60}
    users["unverified"]["claims"]["email_verified"] = False
    users["locked"]["active"] = False
    return users


@dataclass
class OidcPeer:
    base: str
    process: subprocess.Popen

    @property
    def discovery_url(self) -> str:
        return f"{self.base}/o/.well-known/openid-configuration"


def start_oidc_peer(workdir: Path, *, site_url: str) -> OidcPeer:
    slugs = ["northwind-robotics", "globex"]
    peer = {
        "clients": [
            {"client_id": cid, "client_secret": secret,
             "redirect_uris": [f"{site_url}/sso/oidc/{s}/callback/" for s in slugs]}
            for cid, secret in (NORTHWIND_CLIENT, GLOBEX_CLIENT)
        ],
        "users": oidc_users(),
    }
    (workdir / "peer.json").write_text(json.dumps(peer))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["PYTHONPATH"] = ""
    process = subprocess.Popen([sys.executable, str(PEERS / "oidc_provider.py"), str(workdir)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                               cwd=str(workdir), text=True)
    line = process.stdout.readline() if process.stdout else ""
    if not line.strip().isdigit():
        process.kill()
        raise RuntimeError("OIDC peer did not start: " + (process.stderr.read()
                                                          if process.stderr else ""))
    return OidcPeer(base=f"http://127.0.0.1:{int(line)}", process=process)


@pytest.fixture(scope="session")
def oidc_peer(tmp_path_factory):
    peer = start_oidc_peer(tmp_path_factory.mktemp("oidc-peer"), site_url=settings.SITE_URL)
    yield peer
    peer.process.terminate()
    peer.process.wait(timeout=10)


@pytest.fixture
def sso_org(org):
    org.verified_domains = ["northwind.example"]
    org.save(update_fields=["verified_domains"])
    return org


@pytest.fixture
def globex(other_org):
    other_org.verified_domains = ["globex.example"]
    other_org.save(update_fields=["verified_domains"])
    return other_org


def configure_oidc(org, actor, peer: OidcPeer, client=NORTHWIND_CLIENT):
    from chorus.identity.sso.services import provider_configure_oidc

    return provider_configure_oidc(organization=org, actor=actor, name="Test OIDC",
                                   discovery_url=peer.discovery_url, client_id=client[0],
                                   client_secret=client[1],
                                   scopes="openid email profile groups")


def idp_sign_in(start_response, username: str, password: str = PASSWORD) -> str:
    """Follow Chorus's redirect to the OIDC provider, sign in there like a browser and
    return the callback address the provider sends the browser back to."""
    assert start_response.status_code == 302, start_response.content[:500]
    url = start_response["Location"]
    browser = requests.Session()
    answer = browser.get(url, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:500]
    login_url = urljoin(url, answer.headers["Location"])
    page = browser.get(login_url)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    next_url = parse_qs(urlsplit(login_url).query)["next"][0]
    answer = browser.post(login_url, data={"username": username, "password": password,
                                           "csrfmiddlewaretoken": csrf, "next": next_url},
                          headers={"Referer": login_url}, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:500]
    answer = browser.get(urljoin(login_url, answer.headers["Location"]), allow_redirects=False)
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


def local(url: str) -> str:
    """The path and query of a Chorus address, for the test client."""
    assert url.startswith(settings.SITE_URL), url
    return url[len(settings.SITE_URL):]


@pytest.fixture
def saml_idp_for(tmp_path):
    started: list[SamlIdP] = []

    def make(org, *, name: str = "a") -> SamlIdP:
        from chorus.identity.sso.saml import sp_metadata_xml

        directory = tmp_path / f"idp-{name}"
        directory.mkdir()
        idp = SamlIdP(directory, sp_metadata=[sp_metadata_xml(org)], name=name).start()
        started.append(idp)
        return idp

    yield make
    for idp in started:
        idp.stop()


def saml_users(domain: str = "northwind.example") -> dict:
    def user(local_part: str, **attributes):
        return {"password": PASSWORD, "email": f"{local_part}@{domain}",
                "attributes": {"email": [f"{local_part}@{domain}"], **attributes}}

    users = {
        "ada": user("ada", firstName=["Ada"], lastName=["Lovelace"], department=["Research"],
                    groups=["Chorus HR", "Everyone"], preferredLanguage=["de"]),
        "bob": user("bob", displayName=["Bob Byte"]),
        "dis": user("dis", displayName=["Dee Activated"], active=["false"]),
    }
    users["ada"]["authn_context"] = MFA_CONTEXT
    return users
