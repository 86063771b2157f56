"""Which language a page is in: the person's choice, the IdP's claim, the browser, the
organization, English; the switcher; right-to-left for Arabic."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chorus.identity.directory import DirectoryAttributes, directory_upsert

pytestmark = pytest.mark.django_db


def test_signed_out_page_follows_accept_language(client, org):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9,en;q=0.5")
    assert '<html lang="fr" dir="ltr">' in page.content.decode()
    assert page["Content-Language"] == "fr"


def test_unknown_accept_language_falls_back_to_english(client, org):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="xx-YY")
    assert '<html lang="en" dir="ltr">' in page.content.decode()


def test_arabic_pages_are_right_to_left(client, org):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="ar")
    assert '<html lang="ar" dir="rtl">' in page.content.decode()


def test_organization_default_applies_when_the_browser_sends_nothing(client_for, employee):
    employee.organization.language = "es"
    employee.organization.save(update_fields=["language"])
    page = client_for(employee).get(reverse("people:account"))
    assert '<html lang="es"' in page.content.decode()


def test_browser_beats_organization_and_profile_beats_browser(client_for, employee):
    employee.organization.language = "es"
    employee.organization.save(update_fields=["language"])
    client = client_for(employee)
    page = client.get(reverse("people:account"), HTTP_ACCEPT_LANGUAGE="de")
    assert '<html lang="de"' in page.content.decode()
    employee.language = "pt-br"
    employee.save(update_fields=["language"])
    page = client.get(reverse("people:account"), HTTP_ACCEPT_LANGUAGE="de")
    assert '<html lang="pt-br"' in page.content.decode()


def test_sso_locale_claim_sets_the_language_but_not_over_the_persons_choice(org, employee):
    org.verified_domains = [employee.email.split("@")[1]]
    org.save(update_fields=["verified_domains"])
    user = directory_upsert(
        organization=org,
        attributes=DirectoryAttributes(email=employee.email, preferred_language="de-DE"),
        source="oidc",
        actor_label="test",
    )
    user.refresh_from_db()
    assert user.language == "de"
    user.language = "fr"
    user.save(update_fields=["language"])
    directory_upsert(
        organization=org,
        attributes=DirectoryAttributes(email=employee.email, preferred_language="es"),
        source="oidc",
        actor_label="test",
    )
    user.refresh_from_db()
    assert user.language == "fr"


def test_switcher_signed_in_saves_to_the_profile(client_for, employee):
    client = client_for(employee)
    account = reverse("people:account")
    response = client.post(reverse("language-set"), {"language": "de", "next": account})
    assert response.status_code == 302 and response["Location"] == account
    employee.refresh_from_db()
    assert employee.language == "de"
    page = client.get(account).content.decode()
    assert '<html lang="de"' in page
    assert "Abmelden" in page  # "Sign out"


def test_switcher_signed_out_uses_the_session(client, org):
    client.post(reverse("language-set"), {"language": "es", "next": reverse("login")})
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="es"' in page


def test_switcher_refuses_unknown_language_and_foreign_redirects(client_for, employee):
    client = client_for(employee)
    response = client.post(
        reverse("language-set"), {"language": "klingon", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    employee.refresh_from_db()
    assert employee.language == ""


def test_profile_page_sets_language_and_rejects_unknown(client_for, employee):
    client = client_for(employee)
    response = client.post(reverse("people:account"), {"language": "fr"})
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.language == "fr"
    page = client.post(reverse("people:account"), {"language": "xx"})
    assert page.status_code == 200
    employee.refresh_from_db()
    assert employee.language == "fr"


def test_every_page_has_the_switcher(client, org):
    page = client.get(reverse("login")).content.decode()
    assert 'action="/language/"' in page and 'name="language"' in page
