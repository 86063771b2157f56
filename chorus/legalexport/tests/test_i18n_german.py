"""The legalexport pages read in German when the browser asks for it (issue 16)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def locale_middleware(settings):
    """Language from Accept-Language, as in production (added if the settings lack it)."""
    if "django.middleware.locale.LocaleMiddleware" not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        at = middleware.index("django.contrib.sessions.middleware.SessionMiddleware") + 1
        middleware.insert(at, "django.middleware.locale.LocaleMiddleware")
        settings.MIDDLEWARE = middleware


def test_the_main_page_reads_in_german(client_for, legal, locale_middleware):
    response = client_for(legal).get(reverse("legalexport:list"), HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert "Rechtsexport" in response.content.decode()

