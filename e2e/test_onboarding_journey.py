"""Issue 4: HR imports people (fixing a bad row), starts a new-hire campaign, a candidate
attests through their personal link after passing the quiz, HR sees 100%, and a material new
policy version puts the candidate back to "needs re-attest"."""

import re

import pytest

from e2e.conftest import login, shot

pytestmark = pytest.mark.e2e

HEADER = "name,email,department,manager,start date,status,location,stage\n"
JORDAN = ("Jordan Lee,jordan.lee@candidates.example,Engineering,manager@northwind.example,"
          "{date},candidate,Berlin,pre-boarding\n")
ALEX = "Renée Dubois,renee.dubois@northwind.example,Sales,,2025-09-01,employee,Lisbon,\n"


def _upload(page, tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text.encode("cp1252"))  # a spreadsheet export, not UTF-8
    page.goto("/onboarding/people/import/")
    page.get_by_label("CSV file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and preview").click()


def test_hr_onboards_a_candidate_who_attests_and_must_reattest_after_a_material_change(
        demo, new_page, tmp_path):
    hr = new_page()
    login(hr, "hr@northwind.example")

    # 1. Import with one bad row: the preview names the row, the column and the fix.
    _upload(hr, tmp_path, "hr-export.csv", HEADER + JORDAN.format(date="04/01/2026") + ALEX)
    alert = hr.get_by_role("alert").first
    assert "Row 2, column “start date”" in alert.inner_text()
    assert "ambiguous" in alert.inner_text()
    assert hr.get_by_text("Windows-1252").is_visible()
    shot(hr, "onboarding-01-import-error")

    _upload(hr, tmp_path, "hr-export-fixed.csv", HEADER + JORDAN.format(date="2026-04-01") + ALEX)
    assert hr.get_by_text("Ready to import").is_visible()
    shot(hr, "onboarding-02-import-preview")
    hr.get_by_role("button", name="Import 2 people").click()
    assert hr.get_by_text("Imported: 2 added").is_visible()
    shot(hr, "onboarding-03-people")

    # 2. A campaign for new hires picks up Jordan (pre-boarding, balanced preset).
    hr.goto("/onboarding/campaigns/new/")
    hr.get_by_label("Name").fill("New hires spring 2026")
    hr.get_by_label("New hires, automatically by stage").check()
    shot(hr, "onboarding-04-campaign-form")
    hr.get_by_role("button", name="Start campaign").click()
    assert hr.get_by_role("heading", name="New hires spring 2026").is_visible()
    assert hr.get_by_role("link", name="Jordan Lee").is_visible()
    shot(hr, "onboarding-05-campaign")

    # 3. HR creates Jordan's personal link (Jordan has no account).
    hr.get_by_role("link", name="Jordan Lee").click()
    hr.get_by_role("button", name="Create personal link").click()
    link = hr.locator("#new-link").inner_text().strip()
    assert re.search(r"/a/\S+$", link)
    shot(hr, "onboarding-06-person-link")

    # 4. The candidate opens the link on a phone, fails then passes the quiz, and attests.
    candidate = new_page(viewport={"width": 390, "height": 844})
    candidate.goto(link)
    assert candidate.get_by_text("for Jordan Lee").is_visible()
    shot(candidate, "onboarding-07-attest-page")
    candidate.get_by_label("No, never").check()
    candidate.get_by_label("Nothing").check()
    candidate.get_by_label("Confidential: never post them").check()
    candidate.get_by_label("I confirm the statement above.").check()
    candidate.get_by_role("button", name="Record my acknowledgment").click()
    assert "1 of 3 questions correctly" in candidate.get_by_role("alert").first.inner_text()
    shot(candidate, "onboarding-08-quiz-failed")
    candidate.get_by_label("Yes: the policy does not limit that").check()
    candidate.get_by_label("That you work here (#employee)").check()
    candidate.get_by_label("I confirm the statement above.").check()
    candidate.get_by_role("button", name="Record my acknowledgment").click()
    assert candidate.get_by_role("heading", name="Thank you, Jordan Lee").is_visible()
    shot(candidate, "onboarding-09-attested")

    # The link now works no more, and says so.
    candidate.goto(link)
    assert candidate.get_by_role("heading", name="This link was already used").is_visible()
    shot(candidate, "onboarding-10-link-used")

    # 5. HR's dashboard shows the campaign complete.
    hr.goto("/onboarding/")
    row = hr.get_by_role("row", name=re.compile("New hires spring 2026"))
    assert "100%" in row.inner_text()
    shot(hr, "onboarding-11-dashboard")

    # 6. A material new version (the policy app's open draft) asks Jordan to re-attest.
    from chorus.people.models import User
    from chorus.policy.models import PolicyVersion
    from chorus.policy.services import policy_version_publish

    draft = PolicyVersion.objects.get(organization=demo, status="draft")
    policy_version_publish(version=draft, actor=User.objects.get(email="legal@northwind.example"),
                           material=True, change_summary="Press questions now go to press@.")
    hr.goto("/onboarding/people/?q=jordan")
    hr.get_by_role("link", name="Jordan Lee").click()
    assert hr.get_by_text("Needs re-attest").first.is_visible()
    shot(hr, "onboarding-12-needs-reattest")

    # And the HR person, who attested v1 in the seed, sees what changed on their own page.
    hr.goto("/onboarding/me/")
    hr.get_by_role("link", name="See what changed").click()
    assert hr.get_by_role("heading", name=re.compile("What changed")).is_visible()
    shot(hr, "onboarding-13-reattest-diff")
