"""Issue 17, first impressions: text helpers, one date format in the viewer's zone, the
product's 404 page with DEBUG on, and the development mailbox."""

import datetime
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail import send_mail
from django.template import Context, Template
from django.utils import timezone

from chorus.common.middleware import zone_for
from chorus.common.text import days_ago, possessive
from chorus.people.services import user_set_timezone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Northwind Robotics", "Northwind Robotics'"), ("Acme", "Acme's"), ("", "")],
)
def test_possessive_never_says_robotics_s(name, expected):
    assert possessive(name) == expected


@pytest.mark.parametrize(
    ("days", "expected"), [(0, "earlier today"), (1, "yesterday"), (4, "4 days ago")]
)
def test_days_ago_never_says_zero_days(days, expected):
    assert days_ago(days) == expected


def _render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_when_shows_one_human_format_in_the_active_time_zone():
    moment = datetime.datetime(2026, 12, 7, 13, 13, tzinfo=datetime.UTC)
    with timezone.override("Europe/Lisbon"):
        assert _render("{{ t|when }}", t=moment) == "Mon 7 Dec 2026, 13:13 WET"
    with timezone.override("America/New_York"):
        assert (
            _render("{{ t|when }} · {{ t|day }}", t=moment)
            == "Mon 7 Dec 2026, 08:13 EST · 7 Dec 2026"
        )
    assert _render("{{ d|when }}", d=datetime.date(2026, 12, 2)) == "2 Dec 2026"


def test_the_viewer_zone_is_theirs_else_the_organizations_else_utc(org, employee):
    assert str(zone_for(employee)) == "UTC"
    org.timezone = "Europe/Berlin"
    org.save(update_fields=["timezone"])
    employee.refresh_from_db()
    assert str(zone_for(employee)) == "Europe/Berlin"
    user_set_timezone(user=employee, timezone_name="Asia/Tokyo")
    assert str(zone_for(employee)) == "Asia/Tokyo"


def test_account_page_sets_the_time_zone_and_pages_use_it(client_for, employee):
    client = client_for(employee)
    response = client.post("/account/", {"timezone": "Pacific/Auckland"})
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.timezone == "Pacific/Auckland"
    bad = client.post("/account/", {"timezone": "Mars/Olympus"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()


def test_unknown_time_zone_is_refused_with_a_clear_message(employee):
    from chorus.common.errors import InvalidInput

    with pytest.raises(InvalidInput, match="not a time zone"):
        user_set_timezone(user=employee, timezone_name="Mars/Olympus")


def test_a_mistyped_url_shows_the_product_404_page_even_with_debug(client_for, employee, settings):
    settings.DEBUG = True
    response = client_for(employee).get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "We could not find that page" in body
    assert "URLconf" not in body


def test_a_missing_slash_still_redirects(client_for, employee, settings):
    settings.DEBUG = True
    response = client_for(employee).get("/account")
    assert response.status_code == 301 and response["Location"] == "/account/"


def test_dev_mailbox_shows_file_backend_mails_to_admins_only(
    client_for, admin, employee, settings, tmp_path: Path
):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    send_mail("We're hiring", "We're hiring robotics engineers", None, ["a@example.com"])
    page = client_for(admin).get("/dev/mailbox/").content.decode()
    assert "We&#x27;re hiring robotics engineers" in page  # escaped once, in HTML only
    assert client_for(employee).get("/dev/mailbox/").status_code == 403
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert client_for(admin).get("/dev/mailbox/").status_code == 404
    mail.outbox.clear()


def test_production_keeps_djangos_default_password_hasher():
    import os
    import subprocess
    import sys

    code = "import django; from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": "k" * 60,
        "ALLOWED_HOSTS": "x.example",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "django.contrib.auth.hashers.PBKDF2PasswordHasher"


def test_staff_find_their_own_pages_in_a_you_menu_and_employees_in_the_bar(
    client_for, hr, employee
):
    import re

    def bar_and_menus(user):
        page = client_for(user).get("/").content.decode()
        nav = page.split('id="mainnav"')[1].split("</nav>")[0]
        menus = dict(re.findall(r"<summary[^>]*>(\w+)</summary>(.*?)</details>", nav, re.S))
        bar = re.sub(r"<details.*?</details>", "", nav, flags=re.S)
        return bar, menus

    bar, menus = bar_and_menus(hr)
    assert "My acknowledgments" in menus["You"] and "My acknowledgments" not in bar
    assert "Onboarding" in menus["Manage"] and "Check a post" in bar
    bar, menus = bar_and_menus(employee)
    assert "You" not in menus and "My acknowledgments" in bar and "My cases" in bar
