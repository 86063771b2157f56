"""Time-stamping errors shown to people read in the active language (issue 16)."""

from __future__ import annotations

import pytest
from django.utils import translation

from chorus.timestamping.services import TimestampError, request_token


def test_an_unreachable_tsa_is_explained_in_german():
    with translation.override("de"), pytest.raises(TimestampError) as exc:
        request_token(url="http://127.0.0.1:9/tsa", data=b"chorus")
    assert str(exc.value).startswith("TSA nicht erreichbar")
