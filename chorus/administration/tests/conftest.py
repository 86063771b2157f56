from __future__ import annotations

import re

import pytest
from django.core.cache import cache

STRONG = "Vivid-otter-42-lamp"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def link_in(message) -> str:  # type: ignore[no-untyped-def]
    """The path of the first Chorus link in an e-mail body."""
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert match, message.body
    return match.group(1)
