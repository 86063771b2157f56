"""Onboarding pages are served in the reader's language (issue 16): the catalogs are loaded."""

from __future__ import annotations

import pytest

from chorus.onboarding.tests.conftest import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_from_browser(settings):
    """Negotiate the language from Accept-Language even before per-person negotiation lands."""
    if not any("locale" in m.lower() or "language" in m.lower() for m in settings.MIDDLEWARE):
        middleware = list(settings.MIDDLEWARE)
        at = middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1
        middleware.insert(at, "django.middleware.locale.LocaleMiddleware")
        settings.MIDDLEWARE = middleware


@pytest.mark.parametrize(
    ("language", "heading", "button"),
    [
        ("de", "Bitte lesen Sie", "Meine Bestätigung speichern"),
        ("es", "Lea:", "Registrar mi confirmación"),
        ("fr", "Veuillez lire", "Enregistrer mon attestation"),
        ("pt-BR", "Leia:", "Registrar minha confirmação"),
    ],
)
def test_the_attestation_page_reads_in_the_browser_language(
    client_for, hr, employee, version, language, heading, button
):
    assignment = make_campaign(hr=hr, version=version).assignments.get(person=employee.person)
    page = client_for(employee).get(
        f"/onboarding/me/{assignment.pk}/", HTTP_ACCEPT_LANGUAGE=language
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert heading in text and button in text
    assert "Record my acknowledgment" not in text


def test_my_acknowledgments_page_in_german(client_for, hr, employee, version):
    make_campaign(hr=hr, version=version)
    page = client_for(employee).get("/onboarding/me/", HTTP_ACCEPT_LANGUAGE="de")
    text = page.content.decode()
    assert "Meine Richtlinien-Bestätigungen" in text
    assert "Lesen und bestätigen" in text


def test_english_stays_the_default(client_for, hr, employee, version):
    assignment = make_campaign(hr=hr, version=version).assignments.get(person=employee.person)
    page = client_for(employee).get(f"/onboarding/me/{assignment.pk}/")
    assert "Record my acknowledgment" in page.content.decode()
