"""SAML 2.0 sign-in through a real IdP (pysaml2's IdP with its own keys, in a thread)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from chorus.audit.models import AuditEntry
from chorus.identity.session import MFA_SESSION_KEY
from chorus.identity.sso.models import GroupRoleMapping, SamlAssertionSeen
from chorus.identity.sso.services import provider_configure_saml, provider_update_mapping
from chorus.identity.tests.conftest import PASSWORD, local, saml_users
from chorus.identity.tests.peers.saml_idp import MFA_CONTEXT
from chorus.people.models import Person, User
from chorus.people.roles import Role

pytestmark = pytest.mark.django_db

START = "/sso/saml/northwind-robotics/login/"


def counts():
    return (User.objects.count(), Person.objects.count(),
            AuditEntry.objects.exclude(action__startswith="identity.sso_").count())


@pytest.fixture
def idp(sso_org, admin, saml_idp_for):
    idp = saml_idp_for(sso_org)
    idp.users = saml_users()
    provider_configure_saml(organization=sso_org, actor=admin, name="Test SAML",
                            metadata_xml=idp.metadata_xml())
    provider_update_mapping(organization=sso_org, actor=admin, mfa_values=[MFA_CONTEXT])
    return idp


def begin(client, start=START):
    response = client.get(start)
    assert response.status_code == 302, response.content[:300]
    query = parse_qs(urlsplit(response["Location"]).query)
    return query["SAMLRequest"][0], query["RelayState"][0]


def post_acs(client, acs, saml_response, relay):
    return client.post(local(acs), {"SAMLResponse": saml_response, "RelayState": relay})


def test_sp_metadata_is_served_for_download(client, sso_org):
    response = client.get("/sso/saml/northwind-robotics/metadata/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert 'entityID="http://' in body and "/sso/saml/northwind-robotics/acs/" in body
    assert "WantAssertionsSigned=\"true\"" in body


def test_a_signed_assertion_signs_in_just_in_time_through_the_idps_own_pages(
        client, sso_org, idp):
    GroupRoleMapping.objects.create(organization=sso_org, group="Chorus HR", role=Role.HR)
    start = client.get(START)
    browser = requests.Session()
    page = browser.get(start["Location"])
    fields = dict(re.findall(r"name='(\w+)' value='([^']*)'", page.text))
    answer = browser.post(f"{idp.base}/sso/login", data={
        "SAMLRequest": fields["SAMLRequest"], "RelayState": fields["RelayState"],
        "username": "ada", "password": PASSWORD})
    acs = re.search(r"action='([^']+)'", answer.text).group(1)
    posted = dict(re.findall(r"name='(\w+)' value='([^']*)'", answer.text))

    done = post_acs(client, acs, posted["SAMLResponse"], posted["RelayState"])

    assert done.status_code == 302, done.content.decode()[:500]
    user = User.objects.get(email="ada@northwind.example")
    assert user.full_name == "Ada Lovelace" and user.role_names == {Role.EMPLOYEE, Role.HR}
    assert Person.objects.get(user=user).department.name == "Research"
    assert user.directory_profile.preferred_language == "de"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[MFA_SESSION_KEY] == "idp"  # AuthnContextClassRef listed by the org


def test_entra_ids_authn_methods_attribute_satisfies_the_second_factor(client, idp):
    idp.users["bob"]["attributes"][
        "http://schemas.microsoft.com/claims/authnmethodsreferences"] = [
        "http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password",
        MFA_CONTEXT]
    request, relay = begin(client)
    acs, response = idp.respond(saml_request=request, username="bob")
    assert post_acs(client, acs, response, relay).status_code == 302
    assert client.session[MFA_SESSION_KEY] == "idp"


def test_a_password_only_authn_context_does_not_satisfy_the_second_factor(client, idp):
    request, relay = begin(client)
    acs, response = idp.respond(saml_request=request, username="bob")
    assert post_acs(client, acs, response, relay).status_code == 302
    assert MFA_SESSION_KEY not in client.session
    assert User.objects.get(email="bob@northwind.example").full_name == "Bob Byte"


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"sign_assertion": False}, "not signed"),
    ({"lifetime_minutes": -10}, "expired"),
    ({"audience": "https://other.example/sp"}, "wrong audience"),
    ({"in_response_to": "_not-our-request"}, "does not answer a request"),
])
def test_refused_assertions_get_a_clear_page_and_write_nothing(client, idp, overrides,
                                                               expected):
    request, relay = begin(client)
    acs, response = idp.respond(saml_request=request, username="ada", **overrides)
    before = counts()
    page = post_acs(client, acs, response, relay)
    assert page.status_code == 400, page.content[:300]
    assert expected in page.content.decode()
    assert counts() == before and not SamlAssertionSeen.objects.exists()
    assert "_auth_user_id" not in client.session


def test_a_replayed_assertion_is_refused(client, idp):
    request, relay = begin(client)
    acs, response = idp.respond(saml_request=request, username="bob")
    assert post_acs(client, acs, response, relay).status_code == 302
    client.logout()
    before = counts()
    page = post_acs(client, acs, response, relay)
    assert page.status_code == 400 and b"already used once" in page.content
    assert counts() == before and "_auth_user_id" not in client.session


def test_a_relay_state_not_made_by_chorus_is_refused(client, idp):
    request, _relay = begin(client)
    acs, response = idp.respond(saml_request=request, username="bob")
    page = post_acs(client, acs, response, "forged")
    assert page.status_code == 400 and b"not started from Chorus" in page.content
    assert client.post(local(acs), {}).status_code == 400


def test_a_person_deactivated_in_the_idp_is_refused_and_nothing_is_written(client, sso_org,
                                                                           admin, idp):
    provider_update_mapping(organization=sso_org, actor=admin, attribute_map={"active": "active"})
    request, relay = begin(client)
    acs, response = idp.respond(saml_request=request, username="dis")
    before = counts()
    page = post_acs(client, acs, response, relay)
    assert page.status_code == 400 and b"deactivated" in page.content
    assert counts() == before


def test_an_idp_of_one_organization_never_signs_anyone_into_another(
        client, sso_org, admin, idp, globex, outsider, saml_idp_for):
    globex_idp = saml_idp_for(globex, name="globex")
    globex_idp.users = saml_users("globex.example")
    provider_configure_saml(organization=globex, actor=outsider, name="Globex SAML",
                            metadata_xml=globex_idp.metadata_xml())
    before = counts()
    # Northwind's IdP answers a Globex request: Globex does not trust Northwind's IdP.
    request, relay = begin(client, "/sso/saml/globex/login/")
    parsed = globex_idp.server().parse_authn_request(request).message
    acs, response = idp.answer(in_response_to=parsed.id,
                               acs=parsed.assertion_consumer_service_url,
                               audience=parsed.issuer.text, username="bob")
    page = post_acs(client, acs, response, relay)
    assert page.status_code == 400
    # The same request answered by Globex's own IdP is accepted (the check above is real).
    acs, response = globex_idp.respond(saml_request=request, username="bob")
    assert post_acs(client, acs, response, relay).status_code == 302
    client.logout()
    before = counts()
    # A Northwind assertion with Northwind's relay, posted to Globex's ACS.
    request, relay = begin(client)
    acs, response = idp.respond(saml_request=request, username="bob")
    page = client.post("/sso/saml/globex/acs/", {"SAMLResponse": response, "RelayState": relay})
    assert page.status_code == 400 and b"another organization" in page.content
    assert counts() == before


def test_bad_metadata_is_refused_with_a_clear_message(sso_org, admin, idp):
    from chorus.common.errors import InvalidInput

    for bad, message in [("not xml", "SAML metadata"), ("<x/>", "exactly one identity provider")]:
        with pytest.raises(InvalidInput) as caught:
            provider_configure_saml(organization=sso_org, actor=admin, name="x", metadata_xml=bad)
        assert message in caught.value.message
    unsigned = re.sub(r"<(md:|ns\d:)?KeyDescriptor.*?</(md:|ns\d:)?KeyDescriptor>", "",
                      idp.metadata_xml(), flags=re.S)
    with pytest.raises(InvalidInput) as caught:
        provider_configure_saml(organization=sso_org, actor=admin, name="x", metadata_xml=unsigned)
    assert "signing certificate" in caught.value.message


def test_metadata_by_url_is_fetched_through_the_guarded_client(sso_org, admin, idp, settings):
    from chorus.common.errors import InvalidInput

    with pytest.raises(InvalidInput):  # loopback is refused unless allowed
        provider_configure_saml(organization=sso_org, actor=admin, name="By URL",
                                metadata_url=f"{idp.base}/metadata")
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    provider = provider_configure_saml(organization=sso_org, actor=admin, name="By URL",
                                       metadata_url=f"{idp.base}/metadata")
    assert provider.saml_idp_entity_id == idp.entity_id


def test_unusable_stored_metadata_gets_a_clear_page_not_a_500(client, sso_org, idp):
    from chorus.identity.sso.models import IdentityProvider

    IdentityProvider.objects.filter(organization=sso_org).update(saml_metadata_xml="<broken")
    page = client.get(START)
    assert page.status_code == 400 and b"not set up correctly" in page.content


def test_the_sso_pages_of_an_unknown_organization_are_404(client, sso_org):
    assert client.get("/sso/saml/nobody/login/").status_code == 404
    assert client.get("/sso/saml/nobody/metadata/").status_code == 404
    assert client.get("/sso/oidc/nobody/login/").status_code == 404
