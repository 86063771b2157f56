"""Data rights: an employee reads and downloads everything Chorus holds about them from their
account page; HR erases a person's data on request and the receipt shows what was kept and
why; the audit trail shows the erased person only under a pseudonym."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from e2e.conftest import login, shot

pytestmark = pytest.mark.e2e


def test_self_service_export_and_an_hr_erasure_with_its_receipt(demo, new_page):
    employee = new_page()
    login(employee, "employee@northwind.example")
    employee.goto("/account/")
    employee.get_by_role("link", name="Your data").click()
    shot(employee, "privacy-01-your-data")
    employee.get_by_role("link", name="Read it here").click()
    employee.get_by_role("heading", name="Your HR record").wait_for()
    assert "employee@northwind.example" in employee.content()
    shot(employee, "privacy-02-export")
    with employee.expect_download() as download:
        employee.get_by_role("link", name="Download as JSON").click()
    document = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert document["format"] == "chorus-person-export"

    hr = new_page()
    login(hr, "hr@northwind.example")
    hr.goto("/privacy/")
    hr.get_by_label("Find a person").fill("Sam Rivera")
    hr.get_by_role("button", name="Search").click()
    hr.get_by_role("link", name="Sam Rivera").click()
    shot(hr, "privacy-03-request")
    hr.get_by_label("Type the person's full name to confirm").fill("Sam Rivers")
    hr.get_by_label("Request").fill("Art. 17 request received 3 December")
    hr.get_by_role("button", name="Erase this person's data").click()
    assert "Type the person's full name exactly" in hr.locator(".field--error").inner_text()
    hr.get_by_label("Type the person's full name to confirm").fill("Sam Rivera")
    hr.get_by_label("Request").fill("Art. 17 request received 3 December")
    hr.get_by_role("button", name="Erase this person's data").click()
    hr.get_by_role("heading", name="Erasure receipt").wait_for()
    receipt = hr.content()
    assert "hash-chained" in receipt and re.search(r"Erased person #\d+", receipt)
    shot(hr, "privacy-04-receipt")

    admin = new_page()
    login(admin, "admin@northwind.example")
    admin.goto("/audit/?action=privacy.")
    assert "privacy.person_erased" in admin.content() and "Sam Rivera" not in admin.content()
    shot(admin, "privacy-05-audit")
