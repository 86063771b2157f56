"""/api/v1/docs renders Swagger UI from our own static files under the normal CSP."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_api_docs_load_swagger_ui_from_our_static_files_without_inline_script(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources and all(src.startswith("/static/") for src in sources), sources
    for src in sources:
        assert finders.find(src.removeprefix("/static/")), f"{src} is not a static file"
    # The only <script> without src is the JSON settings block, which a browser does not run.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' id="swagger-settings" type="application/json"']
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_api_docs_point_swagger_at_the_openapi_schema(client):
    html = client.get("/api/v1/docs").content.decode()
    assert "/api/v1/openapi.json" in html
    assert client.get("/api/v1/openapi.json").status_code == 200
