"""Eyes and ears: an employee reports a post anonymously, HR triages and closes it, and the
anonymous reporter follows it up with the report key, without signing in."""

from __future__ import annotations

import re

import pytest

from e2e.conftest import login, shot

pytestmark = pytest.mark.e2e

POST_URL = "https://x.com/angry_customer_77/status/1899000000001?utm_source=share"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def test_anonymous_report_is_triaged_closed_and_followed_up_with_the_key(demo, new_page, tmp_path):
    screenshot = tmp_path / "threat.png"
    screenshot.write_bytes(PNG)

    # An employee reports a post anonymously and notes the key.
    reporter = new_page()
    login(reporter, "employee2@northwind.example")
    reporter.get_by_role("link", name="Reports", exact=True).click()
    reporter.get_by_role("link", name="Report a post").first.click()
    reporter.get_by_label("Link to the post").fill("not a link")
    reporter.get_by_label("Harassment of a colleague").check()
    reporter.get_by_label("What did you see, and why does it concern you?").fill(
        "This account replies to our support engineer's posts with threats and slurs."
    )
    reporter.get_by_role("button", name="Send report").click()
    assert "no https://" in reporter.locator(".field--error").first.inner_text()
    shot(reporter, "reports-01-form-error")

    reporter.get_by_label("Link to the post").fill(POST_URL)
    reporter.get_by_label("Harassment of a colleague").check()
    reporter.get_by_label("Screenshots (optional)").set_input_files(str(screenshot))
    reporter.get_by_label("Report anonymously").check()
    reporter.get_by_role("button", name="Send report").click()
    reporter.get_by_role("heading", name=re.compile("anonymous report was sent")).wait_for()
    key = reporter.locator("[data-report-key]").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{5}(-[A-Z2-9]{5}){3}", key)
    shot(reporter, "reports-02-key")

    # HR finds it in the queue, routed to the harassment team, and triages it.
    triager = new_page()
    login(triager, "hr@northwind.example")
    triager.goto("/reports/queue/")
    row = triager.locator("tr", has_text="angry_customer_77")
    assert "Harassment of a colleague" in row.inner_text()
    assert "on time" in row.inner_text().lower()
    shot(triager, "reports-03-queue")
    row.get_by_role("link").first.click()
    assert "Anonymous reporter" in triager.content()
    assert "Sam Rivera" not in triager.content()
    facts = triager.locator(".facts").inner_text()
    assert "Lee Moreau" in facts or "Harper Nguyen" in facts  # routed to the harassment team
    triager.get_by_role("button", name="Start triage").click()
    triager.get_by_text("Ask this reporter a question").click()
    triager.get_by_label("Ask this reporter").fill("Is this the first time you saw this account?")
    triager.get_by_role("button", name="Send question").click()
    triager.get_by_text("Question sent to the reporter.").wait_for()
    shot(triager, "reports-04-triaging")

    # The anonymous reporter answers the question with the key, signed out.
    anonymous = new_page(viewport={"width": 390, "height": 844})
    anonymous.goto("/r/")
    anonymous.get_by_label("Report key").fill("WRONG-KEY00-00000-00000")
    anonymous.get_by_role("button", name="Open my report").click()
    assert "No report matches this key" in anonymous.content()
    anonymous.get_by_label("Report key").fill(key.lower())
    anonymous.get_by_role("button", name="Open my report").click()
    assert "Is this the first time you saw this account?" in anonymous.content()
    anonymous.get_by_label("Your answer").fill("No, it has done this for a week.")
    anonymous.get_by_role("button", name="Send answer").click()
    anonymous.get_by_text("Your answer was sent").wait_for()
    shot(anonymous, "reports-05-key-page-phone")

    # HR decides and closes the report.
    triager.reload()
    assert "No, it has done this for a week." in triager.content()
    decide = triager.locator(
        "form.transition", has=triager.get_by_role("button", name="Decide: action taken")
    )
    decide.get_by_label("Why (for the history)").fill("Reported to X for targeted harassment.")
    decide.get_by_label("Outcome for the reporters").fill(
        "We reported the account to X and it was suspended. Thank you for telling us."
    )
    decide.get_by_role("button", name="Decide: action taken").click()
    triager.get_by_text("Report moved to actioned.").wait_for()
    triager.get_by_label("Why (for the history)").fill("Account suspended; nothing left to do.")
    triager.get_by_role("button", name="Close the report").click()
    triager.get_by_text("Report moved to closed.").wait_for()
    assert "closed" in triager.locator(".pagehead").inner_text().lower()
    shot(triager, "reports-06-closed")

    # The anonymous reporter sees the outcome with the key.
    anonymous.goto("/r/")
    anonymous.get_by_label("Report key").fill(key)
    anonymous.get_by_role("button", name="Open my report").click()
    outcome = anonymous.locator("[data-outcome]").inner_text()
    assert "it was suspended" in outcome
    assert "Reported to X for targeted harassment" not in anonymous.content()
    shot(anonymous, "reports-07-outcome-phone")

    # The triager's dashboard card and a named reporter's own page (seeded reports).
    triager.goto("/")
    assert "Report queue" in triager.content()
    shot(triager, "reports-08-dashboard-hr")
    named = new_page(viewport={"width": 390, "height": 844})
    login(named, "employee@northwind.example")
    named.goto("/reports/")
    assert "Did any customer tell you they sent card details?" in named.content()
    assert "3 colleagues reported this post" in named.content()
    shot(named, "reports-09-my-reports-phone")
