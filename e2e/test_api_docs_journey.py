import pytest

from e2e.conftest import shot

pytestmark = pytest.mark.e2e


def test_api_docs_render_the_operations_under_our_csp(demo, new_page):
    page = new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto("/api/v1/docs")
    page.locator(".opblock").first.wait_for()
    assert page.get_by_role("heading", name="Chorus API").is_visible()
    assert page.locator(".opblock").count() > 10
    assert errors == []
    shot(page, "api-docs")
