"""Single sign-on in a real browser: an administrator connects an OpenID Connect provider
(django-oauth-toolkit, its own process) and a SAML IdP (pysaml2, a thread), tests each
connection and sees the claims; new employees sign in with "Continue with SSO" and are
provisioned just in time; a refused sign-in gets a clear page. Screenshots at 1280 and 390 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from chorus.identity.tests.conftest import (
    NORTHWIND_CLIENT,
    PASSWORD,
    saml_users,
    start_oidc_peer,
)
from e2e.conftest import login, shot

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
WIDTH = "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"


@pytest.fixture
def peer(tmp_path, live_server, settings):
    settings.SITE_URL = live_server.url
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    oidc = start_oidc_peer(tmp_path, site_url=live_server.url)
    yield oidc
    oidc.process.terminate()
    oidc.process.wait(timeout=10)


def fits_phone(page) -> None:
    assert page.evaluate(WIDTH) <= 390, f"{page.url} is wider than a phone"


def sign_in_at_idp(page, username: str, button: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=button).click()


def test_an_admin_connects_oidc_and_a_new_employee_signs_in_with_sso(demo, new_page, peer):
    from chorus.people.models import User

    page = new_page()
    login(page, "admin@northwind.example")
    page.goto("/identity/sso/")
    shot(page, "identity-sso-settings-empty-1280")
    oidc = page.locator("#oidc")
    oidc.get_by_label("Name shown to people").fill("Test IdP")
    oidc.get_by_label("Discovery URL").fill(peer.discovery_url)
    oidc.get_by_label("Client id").fill(NORTHWIND_CLIENT[0])
    oidc.get_by_label("Client secret").fill(NORTHWIND_CLIENT[1])
    oidc.get_by_label("Scopes").fill("openid email profile groups")
    oidc.get_by_role("button", name="Save OpenID Connect").click()
    expect(page.get_by_text("OpenID Connect saved")).to_be_visible()
    assert NORTHWIND_CLIENT[1] not in page.content()

    page.get_by_role("link", name="Test connection").click()
    sign_in_at_idp(page, "ada", "Sign in at IdP")
    page.wait_for_url(re.compile(r".*/identity/sso/.*"))
    claims = page.get_by_test_id("test-claims")
    expect(claims).to_contain_text("ada@northwind.example")
    expect(claims).to_contain_text("Chorus HR")
    groups = page.locator("#groups")
    groups.get_by_label("IdP group").fill("Chorus HR")
    groups.get_by_label("Chorus role").select_option("hr")
    groups.get_by_role("button", name="Add mapping").click()
    expect(page.locator("#groups table")).to_contain_text("Chorus HR")
    shot(page, "identity-sso-settings-1280")

    phone = new_page(viewport=PHONE)
    login(phone, "admin@northwind.example")
    phone.goto("/identity/sso/")
    fits_phone(phone)
    shot(phone, "identity-sso-settings-390")

    # A new employee: no account yet, signs in with SSO and lands on the dashboard.
    visitor = new_page()
    visitor.goto("/login/")
    visitor.get_by_role("link", name="Continue with SSO").click()
    visitor.get_by_label("Work e-mail").fill("ada@northwind.example")
    shot(visitor, "identity-sso-start-1280")
    visitor.get_by_role("button", name="Continue").click()
    visitor.wait_for_url(re.compile(rf"^{re.escape(peer.base)}/login/.*"))
    sign_in_at_idp(visitor, "ada", "Sign in at IdP")
    visitor.wait_for_url(re.compile(r".*:\d+/$"))
    shot(visitor, "identity-sso-signed-in-1280")
    ada = User.objects.get(email="ada@northwind.example")
    assert ada.full_name == "Ada Lovelace" and ada.has_role("hr")

    # The IdP's token is for another application: a clear page, nobody created.
    refused = new_page(viewport=PHONE)
    refused.goto("/sso/")
    fits_phone(refused)
    shot(refused, "identity-sso-start-390")
    refused.get_by_label("Work e-mail").fill("wa@northwind.example")
    refused.get_by_role("button", name="Continue").click()
    sign_in_at_idp(refused, "wrongaud", "Sign in at IdP")
    expect(refused.get_by_role("heading", name="Sign-in did not work")).to_be_visible()
    expect(refused.get_by_role("alert")).to_contain_text("wrong audience")
    fits_phone(refused)
    shot(refused, "identity-sso-failed-390")
    assert not User.objects.filter(email="wa@northwind.example").exists()


def test_an_admin_uploads_saml_metadata_and_an_employee_signs_in_through_the_idp(
        demo, new_page, live_server, settings, tmp_path):
    from chorus.identity.sso.saml import sp_metadata_xml
    from chorus.identity.tests.peers.saml_idp import SamlIdP
    from chorus.people.models import User

    settings.SITE_URL = live_server.url
    idp = SamlIdP(tmp_path, sp_metadata=[sp_metadata_xml(demo)]).start()
    idp.users = saml_users()
    metadata = tmp_path / "idp-metadata.xml"
    metadata.write_text(idp.metadata_xml())
    try:
        page = new_page()
        login(page, "admin@northwind.example")
        page.goto("/identity/sso/")
        saml = page.locator("#saml")
        saml.get_by_label("Name shown to people").fill("Test SAML")
        saml.get_by_label("…or upload the IdP metadata XML").set_input_files(str(metadata))
        saml.get_by_role("button", name="Save SAML").click()
        expect(page.get_by_text("SAML saved")).to_be_visible()
        page.get_by_role("link", name="Test connection").click()
        sign_in_at_idp(page, "ada", "Sign in at SAML IdP")
        page.wait_for_url(re.compile(r".*/identity/sso/.*"))
        expect(page.get_by_test_id("test-claims")).to_contain_text("ada@northwind.example")
        shot(page, "identity-sso-saml-tested-1280")

        visitor = new_page(viewport=PHONE)
        visitor.goto("/sso/")
        visitor.get_by_label("Work e-mail").fill("bob@northwind.example")
        visitor.get_by_role("button", name="Continue").click()
        sign_in_at_idp(visitor, "bob", "Sign in at SAML IdP")
        visitor.wait_for_url(re.compile(r".*:\d+/$"))
        fits_phone(visitor)
        shot(visitor, "identity-sso-saml-signed-in-390")
        assert User.objects.get(email="bob@northwind.example").full_name == "Bob Byte"
    finally:
        idp.stop()


def test_the_sso_pages_pass_axe_and_fit_a_phone(demo, browser, live_server, peer):
    from pathlib import Path

    from chorus.identity.sso.services import group_mapping_add, provider_configure_oidc
    from chorus.people.models import User

    admin = User.objects.get(email="admin@northwind.example")
    provider_configure_oidc(organization=demo, actor=admin, name="Test IdP",
                            discovery_url=peer.discovery_url, client_id=NORTHWIND_CLIENT[0],
                            client_secret=NORTHWIND_CLIENT[1])
    group_mapping_add(organization=demo, actor=admin, group="Chorus HR", role="hr")
    axe = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
    # bypass_csp only so the test can inject axe; the pages keep their own CSP.
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    problems = []
    try:
        login(page, "admin@northwind.example")
        for path in ["/identity/sso/", "/sso/", "/sso/oidc/northwind-robotics/callback/"]:
            page.goto(path)
            if page.evaluate(WIDTH) > 390:
                problems.append(f"{path} wider than 390 px")
            page.add_script_tag(path=str(axe))
            violations = page.evaluate(
                "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', "
                "'wcag21a', 'wcag21aa']})).violations.map(v => v.id + ' ' + "
                "v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(', '))")
            problems += [f"{path}: {v}" for v in violations]
    finally:
        context.close()
    assert not problems, problems
