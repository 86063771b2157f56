import pytest

from e2e.conftest import login, shot

pytestmark = pytest.mark.e2e


def test_an_employee_checks_a_draft_and_sees_findings_as_they_type(demo, new_page):
    page = new_page()
    login(page, "employee@northwind.example")
    page.get_by_role("link", name="Check a post").first.click()
    page.get_by_label("Your draft post").fill(
        "Big news: Project Kestrel ships in March! Staging password: hunter2hunter2"
    )
    marks = page.locator("mark.finding--block")
    marks.first.wait_for()
    assert page.get_by_text("Don't post this").is_visible()
    shot(page, "screening-01-check-block")

    page.get_by_label("Your draft post").fill(
        "Honestly our pay is terrible and the night shift is unsafe. Let's talk about a union."
    )
    page.get_by_text("Your rights").wait_for()
    assert page.locator("mark.finding--block").count() == 0
    shot(page, "screening-02-check-protected")

    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "screening-03-check-phone")
