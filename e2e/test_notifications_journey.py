"""Notifications journey: the bell counts what is unread, the list marks read in place, the
settings and the admin pages render on a phone, and the installed app opens the content hub
offline through its service worker."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e.conftest import login, shot

pytestmark = pytest.mark.e2e


def _no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_bell_list_settings_and_offline_app_shell(demo, new_page):
    from chorus.notifications.services import notifications_mark_all_read, notify
    from chorus.people.models import User

    employee = User.objects.get(email="employee@northwind.example")
    # The seed already told the employee things (content drops, the policy): start clean.
    assert notifications_mark_all_read(user=employee) > 0
    for title in ("New to share: Tern wins the logistics award",
                  "Please re-read the social media policy (version 2)",
                  "Reminder: the policy is waiting for you"):
        notify(kind="advocacy.content_published", recipients=[employee], organization=demo,
               title=title, body="Two captions are ready.", link="/advocacy/")

    page = new_page()
    login(page, "employee@northwind.example")
    bell = page.locator("#notification-bell")
    assert "3 unread" in bell.get_attribute("aria-label")
    bell.click()
    page.wait_for_url("**/notifications/")
    shot(page, "notifications-01-list")
    page.locator(".notif--unread").first.get_by_role("button").click()
    # Locator waits, not wait_for_function: the page's CSP forbids the eval it needs.
    expect(page.locator("#notification-bell")).to_have_attribute(
        "aria-label", re.compile("2 unread"))
    page.goto("/notifications/preferences/")
    assert page.get_by_role("heading", name="Quiet hours").is_visible()
    page.get_by_label("From").fill("22:00")
    page.get_by_label("Until").fill("07:00")
    page.get_by_role("button", name="Save settings").click()
    assert page.get_by_text("Your notification settings are saved.").is_visible()
    shot(page, "notifications-02-preferences")

    # On a phone: no sideways scrolling on the list or the settings.
    phone = new_page(viewport={"width": 390, "height": 844})
    login(phone, "employee@northwind.example")
    for path, name in (("/notifications/", "list"), ("/notifications/preferences/", "prefs")):
        phone.goto(path)
        assert _no_horizontal_overflow(phone), path
        shot(phone, f"notifications-03-phone-{name}")

    # The installed app: the service worker keeps the hub, which then opens offline.
    phone.goto("/advocacy/")
    for _ in range(30):  # until the service worker controls the page (reloading as needed)
        if phone.evaluate("() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)"):
            break
        phone.wait_for_timeout(500)
        phone.reload()
    phone.goto("/advocacy/")  # fetched through the worker, which keeps a copy
    phone.wait_for_timeout(500)
    phone.context.set_offline(True)
    phone.goto("/advocacy/")
    assert phone.locator("#notification-bell").count() == 1  # the kept page, not an error
    phone.goto("/policies/never-visited/")
    assert phone.get_by_role("heading", name="You are offline").is_visible()
    shot(phone, "notifications-04-offline")
    phone.context.set_offline(False)

    admin = new_page()
    login(admin, "admin@northwind.example")
    admin.goto("/notifications/deliveries/")
    assert admin.get_by_role("heading", name="Delivery log").is_visible()
    shot(admin, "notifications-05-delivery-log")
    admin.goto("/notifications/defaults/")
    shot(admin, "notifications-06-defaults")
