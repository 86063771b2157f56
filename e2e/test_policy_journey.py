"""Pillar 1 journey: the admin writes a policy from the balanced preset, trips a lint, applies
its suggested rewrite, publishes, and an employee reads the result."""

from __future__ import annotations

import re

import pytest

from e2e.conftest import SCREENSHOTS, login, shot

pytestmark = pytest.mark.e2e

NEGATIVE = "Employees must not make negative remarks about the company."


def viewport_shot(page, name: str) -> None:
    """What the author sees on screen (the editor page is long; full-page shots shrink it)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_admin_writes_lints_fixes_and_publishes_a_policy_employee_reads_it(demo, new_page):
    page = new_page()
    login(page, "admin@northwind.example")
    page.get_by_role("link", name="Policy", exact=True).click()
    assert page.get_by_role("heading", name="Policies").is_visible()
    shot(page, "policy-01-list")

    page.get_by_role("link", name="New policy").click()
    page.get_by_label("Title").fill("Social media policy 2027")
    page.get_by_text("Balanced", exact=True).click()
    shot(page, "policy-02-new-from-preset")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url(re.compile(r".*/versions/\d+/edit/$"))
    assert page.get_by_text("No findings").first.is_visible()
    shot(page, "policy-03-editor")
    viewport_shot(page, "policy-03b-editor-screen")

    # Edit a rule into a broad ban: the lint panel updates as we type (HTMX, debounced).
    rule = page.locator("#rule-3-text")
    rule.fill(NEGATIVE)
    lint = page.locator(
        "#lint-panel article", has_text="Broad ban on negative or disparaging remarks"
    )
    lint.wait_for()
    assert lint.get_by_text("Broad ban on negative or disparaging remarks").is_visible()
    assert lint.get_by_text("Suggested rewrite").is_visible()
    assert lint.get_by_role("link", name=re.compile("Stericycle")).is_visible()
    lint.scroll_into_view_if_needed()
    shot(page, "policy-04-editor-lint")
    rule.scroll_into_view_if_needed()
    viewport_shot(page, "policy-04b-editor-lint-screen")

    lint.get_by_role("button", name="Apply suggestion").click()
    page.wait_for_url(re.compile(r".*/edit/#rule-3$"))
    assert page.get_by_text("Suggestion for L-NLRA-01 applied").is_visible()
    assert "know to be false" in page.locator("#rule-3-text").input_value()
    assert page.locator("#lint-panel").get_by_text("No findings").is_visible()
    shot(page, "policy-05-suggestion-applied")
    viewport_shot(page, "policy-05b-suggestion-applied-screen")

    page.get_by_role("link", name="Publish…").click()
    page.get_by_label("This is a material change").check()
    page.get_by_label("What changed").fill(
        "Clearer rule on remarks about the company and customers."
    )
    shot(page, "policy-06-publish")
    page.get_by_role("button", name="Publish version 1").click()
    page.wait_for_url(re.compile(r".*/policies/current/$"))
    assert page.get_by_text("Version 1 is published").is_visible()

    # The seeded policy's open draft compared with the version it came from, and the lints.
    page.goto("/policies/")
    page.get_by_role("link", name="Social media policy", exact=True).click()
    page.get_by_role("link", name="Compare").first.click()
    assert page.get_by_role("heading", name="Compare versions").is_visible()
    assert page.locator(".policy-diff ins").first.is_visible()
    shot(page, "policy-07-diff")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Social media policy"
    ).click()
    page.get_by_role("link", name="Version 1", exact=True).click()
    assert page.get_by_text("Verified: unchanged since publication").is_visible()
    shot(page, "policy-07b-version")
    page.goto("/policies/lints/")
    assert page.get_by_text("L-NLRA-01").first.is_visible()
    shot(page, "policy-08-lints")
    page.goto("/policies/import/")
    page.get_by_label("…or paste YAML").fill(
        "organization:\n  name: Northwind\npreset: balanced\ncolour: blue\n"
    )
    page.get_by_role("button", name="Import as draft").click()
    assert page.get_by_text("Line 4: colour: unknown key").is_visible()
    shot(page, "policy-08b-import-error")

    # An employee, in a separate session, reads the published policy.
    reader = new_page()
    login(reader, "employee@northwind.example")
    reader.get_by_role("link", name="Policy", exact=True).click()
    reader.wait_for_url(re.compile(r".*/policies/current/$"))
    document = reader.locator("article.document")
    assert document.get_by_role("heading", name="Social media policy 2027").is_visible()
    assert document.get_by_text("know to be false").is_visible()
    assert document.get_by_role("heading", name="Your rights and our commitments").is_visible()
    assert reader.get_by_role("button", name="Print or save as PDF").is_visible()
    assert reader.get_by_role("link", name="Manage policies").count() == 0
    shot(reader, "policy-09-employee-reads")

    phone = new_page(viewport={"width": 390, "height": 844})
    login(phone, "employee@northwind.example")
    phone.goto("/policies/current/")
    assert phone.get_by_role("heading", name="Social media policy 2027").is_visible()
    shot(phone, "policy-10-employee-phone")

    # Authors can work from a phone too: the lint panel sits above the form.
    author_phone = new_page(viewport={"width": 390, "height": 844})
    login(author_phone, "comms@northwind.example")
    author_phone.goto("/policies/")
    author_phone.get_by_role("link", name="Edit draft").first.click()
    assert author_phone.get_by_role("heading", name="Lint").is_visible()
    viewport_shot(author_phone, "policy-11-editor-phone")
