"""The policy pages are served in the reader's language (issue 16): the catalogs are loaded."""

from __future__ import annotations

import pytest
from django.urls import reverse

from chorus.policy.services import policy_create_from_preset, policy_version_publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_from_browser(settings):
    """Negotiate the language from Accept-Language even before per-person negotiation lands."""
    if not any("locale" in m.lower() or "language" in m.lower() for m in settings.MIDDLEWARE):
        middleware = list(settings.MIDDLEWARE)
        at = middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1
        middleware.insert(at, "django.middleware.locale.LocaleMiddleware")
        settings.MIDDLEWARE = middleware


@pytest.fixture
def published(org, comms, legal):
    draft = policy_create_from_preset(
        organization=org, actor=comms, preset="balanced", title="Social media policy"
    )
    return policy_version_publish(version=draft, actor=legal, material=True, change_summary="v1")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Unsere Social-Media-Richtlinie"),
        ("es", "Nuestra política de redes sociales"),
        ("fr", "Notre politique relative aux réseaux sociaux"),
        ("pt-BR", "Nossa política de redes sociais"),
    ],
)
def test_the_policy_in_force_reads_in_the_browser_language(
    published, client_for, employee, language, expected
):
    page = client_for(employee).get(reverse("policy:current"), HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    text = page.content.decode()
    assert expected in text
    assert "Our social media policy" not in text


def test_the_author_pages_are_translated(published, client_for, comms):
    client = client_for(comms)
    page = client.get(reverse("policy:index"), HTTP_ACCEPT_LANGUAGE="de")
    assert "Neue Richtlinie" in page.content.decode()
    version = client.get(
        reverse("policy:version-detail", args=[published.pk]), HTTP_ACCEPT_LANGUAGE="es"
    )
    assert "Nuevo borrador a partir de esta versión" in version.content.decode()


def test_english_stays_the_default(published, client_for, employee):
    page = client_for(employee).get(reverse("policy:current"))
    assert "Our social media policy" in page.content.decode()
