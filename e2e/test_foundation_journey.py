import pytest

from e2e.conftest import login, shot

pytestmark = pytest.mark.e2e


def test_demo_admin_signs_in_and_sees_the_dashboard_and_account(demo, new_page):
    page = new_page()
    page.goto("/login/")
    shot(page, "00-login")
    login(page, "admin@northwind.example")
    assert page.get_by_role("heading", name="Good to see you, Ada").is_visible()
    shot(page, "01-dashboard")
    page.goto("/account/")
    page.get_by_label("Token name").fill("CI pipeline")
    page.get_by_role("button", name="Create token").click()
    assert page.get_by_text("Copy your new token now").is_visible()
    shot(page, "02-account-token")


def test_wrong_password_shows_a_clear_error(demo, new_page):
    page = new_page()
    login_page = page.goto("/login/")
    assert login_page.status == 200
    page.get_by_label("Email").fill("admin@northwind.example")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").first.is_visible()
