"""The reporting pages are served in the reader's language (issue 16): the catalogs are loaded."""

from __future__ import annotations

import pytest
from django.urls import reverse

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
        ("de", "Bedenklichen Beitrag melden", "Meldung senden"),
        ("es", "Reportar una publicación preocupante", "Enviar reporte"),
        ("fr", "Signaler une publication préoccupante", "Envoyer le signalement"),
        ("pt-BR", "Relatar uma publicação preocupante", "Enviar relato"),
    ],
)
def test_the_report_form_reads_in_the_browser_language(
    client_for, employee, language, heading, button
):
    page = client_for(employee).get(reverse("reports:create"), HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    text = page.content.decode()
    assert heading in text and button in text
    assert "Report a concerning post" not in text


def test_your_reports_page_in_german(client_for, employee):
    page = client_for(employee).get(reverse("reports:mine"), HTTP_ACCEPT_LANGUAGE="de")
    assert "Sie haben noch nichts gemeldet" in page.content.decode()


def test_english_stays_the_default(client_for, employee):
    page = client_for(employee).get(reverse("reports:create"))
    assert "Report a concerning post" in page.content.decode()
