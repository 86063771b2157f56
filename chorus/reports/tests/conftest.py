"""Report helpers: routing rules for the cast, tiny valid images, and a one-call submit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from chorus.reports.models import Category
from chorus.reports.services import report_submit, routing_rule_save

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _fresh_key_attempts(request):
    """Wrong report keys are counted in the cache per client; every test starts at zero.
    The cache is a database table (rolled back with each test), so only tests that use the
    database touch it."""
    uses_db = request.node.get_closest_marker("django_db") is not None
    if uses_db:
        cache.clear()
    yield
    if uses_db:
        cache.clear()


def png(name: str = "shot.png", size: int | None = None) -> SimpleUploadedFile:
    body = PNG if size is None else PNG + b"\x00" * (size - len(PNG))
    return SimpleUploadedFile(name, body, content_type="image/png")


@pytest.fixture
def rules(org, hr, legal, comms, admin):
    """Harassment → team hr + legal, lead hr; crisis → comms, lead admin; 4 h SLA."""
    return {
        "harassment": routing_rule_save(
            organization=org,
            actor=admin,
            category=Category.HARASSMENT,
            team=[hr, legal],
            lead=hr,
            sla_hours=24,
        ),
        "crisis": routing_rule_save(
            organization=org,
            actor=admin,
            category=Category.CRISIS,
            team=[comms],
            lead=admin,
            sla_hours=4,
        ),
    }


def submit(*, reporter: Any, **overrides: Any):
    data = {
        "organization": reporter.organization,
        "reporter": reporter,
        "url": "https://x.com/someone/status/1",
        "category": Category.HARASSMENT,
        "description": "This account keeps posting threats at our support engineer.",
    }
    data.update(overrides)
    return report_submit(**data)
