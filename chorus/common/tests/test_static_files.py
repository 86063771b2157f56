"""Static files survive the production pipeline: `collectstatic` with whitenoise's manifest
storage (what DEBUG=false uses) succeeds, and pages then link and serve the hashed files."""

from __future__ import annotations

import json
import posixpath
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db

MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
# The references whitenoise/Django's manifest storage rewrites (and fails on when missing).
SOURCE_MAP = re.compile(r"(?://|/\*)# ?sourceMappingURL=(?P<url>[^\s*]+)")
CSS_URL = re.compile(r"""url\(\s*['"]?(?P<url>[^'")]+)['"]?\s*\)|@import\s+['"](?P<imp>[^'"]+)""")


def _static_files() -> list[tuple[str, str]]:
    found = []
    for finder in finders.get_finders():
        for path, storage in finder.list([]):
            found.append((path.replace("\\", "/"), storage.path(path)))
    return found


def _local(url: str) -> bool:
    return not re.match(r"^(?:[a-z]+:|//|#|data:)", url, re.IGNORECASE)


def test_every_reference_in_a_static_file_points_at_a_file_we_ship():
    missing = []
    for name, full_path in _static_files():
        if not name.endswith((".js", ".css")):
            continue
        with open(full_path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        urls = [m["url"] for m in SOURCE_MAP.finditer(text)]
        if name.endswith(".css"):
            urls += [m["url"] or m["imp"] for m in CSS_URL.finditer(text)]
        for url in urls:
            url = url.split("#")[0].split("?")[0]
            if not url or not _local(url):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), url))
            if finders.find(target) is None:
                missing.append(f"{name} -> {url}")
    assert missing == [], (
        "These static files reference files that are not shipped (collectstatic with "
        f"DEBUG=false would fail): {missing}. Vendor the file or remove the reference."
    )


def test_collectstatic_with_the_production_storage_succeeds_and_pages_use_it(
    settings, tmp_path, client, org
):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}

    call_command("collectstatic", interactive=False, verbosity=0)

    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    assert {"css/chorus.css", "vendor/chart/chart.umd.min.js", "vendor/htmx/htmx.min.js"} <= set(
        manifest
    )
    settings.DEBUG = False
    page = client.get("/login/")
    assert page.status_code == 200
    hashed_css = manifest["css/chorus.css"]
    assert f"/static/{hashed_css}" in page.content.decode()
    served = client.get(f"/static/{hashed_css}")
    assert served.status_code == 200
    body = b"".join(served.streaming_content)
    assert body == (tmp_path / "static" / hashed_css).read_bytes()
