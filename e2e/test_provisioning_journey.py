"""Provisioning journey: an administrator creates a SCIM token (shown once); an employee asks
for a verified Bluesky handle and sees the DNS record; HR marks them as a leaver and the
leaver's summary link shows what happens to their data. Screens at 1280 and 390 px."""

from __future__ import annotations

import pytest

from e2e.conftest import login, shot

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


def no_overflow(page) -> None:
    width = page.evaluate("Math.max(document.documentElement.scrollWidth, "
                          "document.body.scrollWidth)")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def test_scim_token_affiliation_and_offboarding_summary(demo, new_page):
    admin = new_page()
    login(admin, "admin@northwind.example")
    admin.goto("/provisioning/scim/")
    admin.get_by_label("Token name").fill("Okta")
    admin.get_by_role("button", name="Create token").click()
    admin.get_by_text("Copy the token now.").wait_for()
    shot(admin, "provisioning-01-scim-token")

    employee = new_page()
    login(employee, "employee@northwind.example")
    employee.get_by_role("link", name="Verified affiliation").first.click()
    employee.get_by_label("Handle name").fill("emery")
    employee.get_by_label("Your Bluesky DID").fill("did:plc:abcdefghijklmnopqrstuvwx")
    employee.get_by_role("button", name="Ask for it").click()
    employee.get_by_text("_atproto.emery.northwind.example").wait_for()
    shot(employee, "provisioning-02-affiliation")

    for path, name in (("/provisioning/scim/", "admin"),):
        phone = new_page(viewport=PHONE)
        login(phone, "admin@northwind.example")
        phone.goto(path)
        no_overflow(phone)
        shot(phone, f"provisioning-03-{name}-390")
    phone = new_page(viewport=PHONE)
    login(phone, "employee@northwind.example")
    phone.goto("/provisioning/affiliation/")
    no_overflow(phone)
    shot(phone, "provisioning-04-affiliation-390")

    from chorus.notifications.models import Notification
    from chorus.onboarding.services import person_update
    from chorus.people.models import User

    hr = User.objects.get(email="hr@northwind.example")
    leaver = User.objects.get(email="employee@northwind.example")
    person_update(person=leaver.person, actor=hr, values={"status": "leaver"})
    link = Notification.objects.get(recipient=leaver, kind="provisioning.offboarded").link

    visitor = new_page()
    visitor.goto(link)
    visitor.get_by_role("heading", name="What happens to your data").wait_for()
    shot(visitor, "provisioning-05-offboarding-summary")
    small = new_page(viewport=PHONE)
    small.goto(link)
    no_overflow(small)
    shot(small, "provisioning-06-offboarding-summary-390")

    hr_page = new_page()
    login(hr_page, "hr@northwind.example")
    hr_page.goto("/provisioning/offboarding/")
    hr_page.get_by_role("link", name=leaver.person.full_name).click()
    hr_page.get_by_text("What the person was told").wait_for()
    shot(hr_page, "provisioning-07-hr-offboarding")
