"""Second factors in a browser: a passkey enrolled with Chromium's virtual authenticator (the
DevTools protocol WebAuthn domain) and an authenticator app enrolled with a code computed
from the QR page's key, then a new sign-in with each."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from e2e.conftest import login, shot

pytestmark = pytest.mark.e2e


def _no_sideways_scroll(page, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name} scrolls sideways at phone width ({width}px)"


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url(re.compile(r".*/login/.*"))


def test_passkey_and_authenticator_app_enrollment_and_sign_in(demo, new_page):
    page = new_page()
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    authenticator_id = added["authenticatorId"]

    # Legal must use a second factor (default rule); the first sign-in starts the grace period.
    login(page, "legal@northwind.example")
    page.get_by_role("heading", name="Set up two-factor sign-in").wait_for()
    shot(page, "mfa-01-dashboard-grace")
    page.get_by_role("link", name="Set it up now").click()
    page.wait_for_url("**/identity/mfa/setup/")
    shot(page, "mfa-02-setup_1280")

    # 1. A passkey, created by the virtual authenticator.
    page.get_by_label("Name of this passkey").fill("Work laptop")
    page.get_by_role("button", name="Add a passkey").click()
    page.wait_for_url("**/identity/mfa/setup/done/")
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    shot(page, "mfa-03-recovery-codes_1280")
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert len(credentials["credentials"]) == 1

    # 2. An authenticator app: the key on the page, a code computed from it.
    page.goto("/identity/mfa/setup/")
    page.get_by_role("button", name="Set up an authenticator app").click()
    page.get_by_role("heading", name="1. Scan this QR code").wait_for()
    assert page.locator("img.mfa-qr").get_attribute("src").startswith("data:image/svg+xml")
    shot(page, "mfa-04-totp-qr_1280")
    secret = page.locator("[data-totp-secret]").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Name of this device").fill("Phone")
    page.get_by_label("Code from the app").fill("000000" if totp.now() != "000000" else "111111")
    page.get_by_role("button", name="Confirm and turn on").click()
    page.get_by_text("does not match the QR code").wait_for()  # a wrong code says so
    page.get_by_label("Code from the app").fill(totp.now())
    page.get_by_role("button", name="Confirm and turn on").click()
    page.wait_for_url("**/identity/mfa/setup/done/")
    page.get_by_role("link", name="Manage your factors").click()
    page.get_by_role("cell", name=re.compile("Work laptop")).wait_for()
    page.get_by_role("cell", name=re.compile("Phone")).wait_for()
    shot(page, "mfa-05-manage_1280")

    # 3. Sign in again with the passkey.
    _sign_out(page)
    login(page, "legal@northwind.example")
    page.wait_for_url("**/identity/mfa/verify/")
    page.get_by_role("heading", name="One more step").wait_for()
    shot(page, "mfa-06-verify_1280")
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url(re.compile(r".*/$"))
    page.get_by_role("heading", name=re.compile("Good to see you")).wait_for()

    # 4. Sign in again with the authenticator app (the next 30-second code: the current
    # one was used to enroll and a code is accepted only once).
    _sign_out(page)
    login(page, "legal@northwind.example")
    page.wait_for_url("**/identity/mfa/verify/")
    page.locator("#id_code").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Verify code").click()
    page.get_by_role("heading", name=re.compile("Good to see you")).wait_for()

    # Phone width: the pages a person meets at sign-in and the admin page.
    phone = new_page({"width": 390, "height": 844})
    phone.context.add_cookies(page.context.cookies())
    for path, name in [
        ("/identity/mfa/", "mfa-07-manage_390"),
        ("/identity/mfa/setup/", "mfa-08-setup_390"),
    ]:
        phone.goto(path)
        _no_sideways_scroll(phone, path)
        shot(phone, name)

    other = new_page({"width": 390, "height": 844})
    login(other, "legal@northwind.example")
    other.wait_for_url("**/identity/mfa/verify/")
    _no_sideways_scroll(other, "the verify page")
    shot(other, "mfa-09-verify_390")

    admin = new_page()
    login(admin, "admin@northwind.example")
    admin.goto("/identity/mfa/admin/")
    admin.get_by_role("heading", name="The rule").wait_for()
    assert "Enrolled" in admin.content()
    shot(admin, "mfa-10-admin_1280")
    admin_phone = new_page({"width": 390, "height": 844})
    admin_phone.context.add_cookies(admin.context.cookies())
    admin_phone.goto("/identity/mfa/admin/")
    _no_sideways_scroll(admin_phone, "the admin page")
    shot(admin_phone, "mfa-11-admin_390")


AXE_RUN = (
    "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', "
    "'wcag21aa']})).violations.map(v => ({id: v.id, n: v.nodes.length, "
    "where: v.nodes.slice(0, 2).map(n => n.target.join(' '))}))"
)


def test_second_factor_pages_pass_axe_at_phone_width(demo, browser, live_server):
    from chorus.identity.mfa.tests.helpers import enroll_totp
    from chorus.people.models import User
    from e2e.test_every_page_journey import AXE

    enroll_totp(user=User.objects.get(email="hr@northwind.example"))
    problems: list[str] = []
    for email, steps in [
        (
            "admin@northwind.example",
            ["/", "/identity/mfa/admin/", "/identity/mfa/", "/identity/mfa/setup/", "totp"],
        ),
        ("hr@northwind.example", ["/identity/mfa/verify/"]),
    ]:
        # bypass_csp only so the test can inject axe; the pages keep their own CSP.
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 390, "height": 844}, bypass_csp=True
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        login(page, email)
        for step in steps:
            if step == "totp":
                page.goto("/identity/mfa/setup/")
                page.get_by_role("button", name="Set up an authenticator app").click()
                page.get_by_role("heading", name="1. Scan this QR code").wait_for()
            else:
                page.goto(step)
            _no_sideways_scroll(page, page.url)
            page.add_script_tag(path=str(AXE))
            for v in page.evaluate(AXE_RUN):
                problems.append(f"{email} {page.url}: axe {v['id']} x{v['n']} {v['where']}")
        context.close()
    assert problems == [], "\n".join(problems)
