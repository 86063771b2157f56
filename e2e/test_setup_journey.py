"""First run in a browser: the wizard on an empty installation, the checklist, an invitation."""

from __future__ import annotations

import pytest

from e2e.conftest import shot

pytestmark = pytest.mark.e2e

PASSWORD = "Vivid-otter-42-lamp"


def test_a_new_installation_is_set_up_in_the_browser(transactional_db, new_page):
    page = new_page()
    page.goto("/")
    assert page.url.endswith("/setup/")
    shot(page, "setup_organization_1280")
    page.get_by_label("Organization name").fill("Acme GmbH")
    page.get_by_label("E-mail domains").fill("acme.example")
    page.get_by_label("Jurisdictions").fill("DE, EU")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Strict").check()
    shot(page, "setup_policy_1280")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Your name").fill("Ina Admin")
    page.get_by_label("Your e-mail address").fill("ina@acme.example")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create the organization").click()

    page.wait_for_url("**/admin/")
    assert "Setup checklist" in page.content() and "1 of 4 done" not in page.content()
    shot(page, "setup_checklist_1280")
    page.get_by_role("link", name="Invite people").click()
    page.get_by_label("E-mail address").fill("casey@acme.example")
    page.get_by_label("Communications").check()
    page.get_by_role("button", name="Send invitation").click()
    assert "Invitation sent to casey@acme.example" in page.content()
    shot(page, "setup_users_1280")

    phone = new_page({"width": 390, "height": 844})
    phone.context.add_cookies(page.context.cookies())
    phone.goto("/admin/users/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the users page scrolls sideways at phone width ({width}px)"
    shot(phone, "setup_users_390")

    other = new_page()
    other.goto("/setup/")
    assert other.url.endswith("/login/")  # the wizard is closed for good
