"""Issue 20 journey: an anonymous reporter files with a custom intake form, the handler
acknowledges (the clock stops), they exchange messages, the custodian releases the identity on
request, an incident follows, a warning that is not a strike is given, the decision is
appealed and a reviewer who took no part decides; the legal export bundle verifies and a
tampered copy fails. Screenshots at 1280 and 390 px; no page is wider than a phone."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from e2e.conftest import login, shot

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


def _fits_phone(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide at 390px"


def _both(new_page, path: str, name: str, email: str | None = None) -> None:  # type: ignore[no-untyped-def]
    phone = new_page(PHONE)
    if email:
        login(phone, email)
    phone.goto(path)
    _fits_phone(phone)
    shot(phone, f"speakup-{name}-390")


def test_speak_up_from_anonymous_report_to_appeal_and_verified_export(demo, new_page, tmp_path):
    from chorus.incidents.models import Incident
    from chorus.legalexport.verify import verify_bundle
    from chorus.speakup.models import Concern

    slug = demo.slug
    # An administrator builds the intake form and names the identity custodian.
    admin = new_page()
    login(admin, "admin@northwind.example")
    admin.goto("/speakup/forms/new/")
    admin.get_by_label("Category key").fill("fraud")
    admin.get_by_label("Category name").fill("Fraud or corruption")
    admin.get_by_label("Questions").fill(
        "amount | How much money is involved? | choice | required | under 10k / 10k-100k / "
        "over 100k\nongoing | Is it still going on? | yesno | required\n"
        "who_knows | Who else knows? | textarea | required | | ongoing=yes")
    admin.get_by_role("button", name="Publish").click()
    admin.get_by_text("Published version 1").wait_for()
    shot(admin, "speakup-forms-1280")
    admin.goto("/speakup/settings/")
    admin.get_by_label("Lee Moreau is a custodian").check()
    admin.get_by_label("Harper Nguyen handles reports").check()
    admin.get_by_role("button", name="Save", exact=True).click()
    admin.get_by_text("Handlers and custodians saved.").wait_for()
    shot(admin, "speakup-settings-1280")

    # The reporter, with no account, files with the custom form; a wrong answer loses nothing.
    reporter = new_page()
    reporter.goto(f"/speak-up/{slug}/")
    shot(reporter, "speakup-start-1280")
    reporter.get_by_role("link", name="Fraud or corruption").click()
    reporter.get_by_label("What happened?").fill(
        "Purchase orders to a shell company are approved without any goods arriving.")
    reporter.get_by_label("Is it still going on?").select_option("yes")
    reporter.get_by_label("Where do you work?").select_option("DE")
    reporter.get_by_label("Your name and how to reach you (optional)").fill(
        "Sam Whistle, +49 30 5550100")
    reporter.get_by_role("button", name="Send report").click()
    reporter.get_by_text("Answer “How much money is involved?” (required).").wait_for()
    assert "shell company" in reporter.get_by_label("What happened?").input_value()
    reporter.get_by_label("How much money is involved?").select_option("over 100k")
    reporter.get_by_label("Who else knows?").fill("The controller's assistant.")
    reporter.get_by_role("button", name="Send report").click()
    key = reporter.locator("[data-report-key]").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{5}(-[A-Z2-9]{5}){3}", key)
    shot(reporter, "speakup-receipt-1280")
    concern = Concern.objects.get(organization=demo)
    assert concern.form_version.form.key == "fraud"

    # The handler sees the clock running, acknowledges (it stops) and writes.
    hr = new_page()
    login(hr, "hr@northwind.example")
    hr.goto("/speakup/")
    hr.get_by_role("link", name=concern.reference).click()
    assert hr.locator("[data-clock='1']").get_attribute("data-clock-state") == "running"
    hr.get_by_role("button", name="Acknowledge").click()
    hr.get_by_text("Acknowledged: the 7-day clock stopped").wait_for()
    assert hr.locator("[data-clock='1']").get_attribute("data-clock-state") == "met"
    hr.get_by_label("Message to the reporter").fill("Thank you. Which supplier number is it?")
    hr.get_by_role("button", name="Send", exact=True).click()
    hr.get_by_text("Message sent to the reporter.").wait_for()
    shot(hr, "speakup-detail-1280")

    # The reporter comes back with the key only and answers.
    back = new_page()
    back.goto("/speak-up/follow-up/")
    back.get_by_label("Report key").fill(key)
    back.get_by_role("button", name="Open my report").click()
    back.get_by_text("Which supplier number is it?").wait_for()
    back.get_by_label("Your message").fill("Supplier 40771.")
    back.get_by_role("button", name="Send", exact=True).click()
    back.get_by_text("Your message was sent to the team.").wait_for()
    shot(back, "speakup-conversation-1280")

    # Identity: the handler asks, the named custodian approves, the handler sees it.
    hr.reload()
    assert "Sam Whistle" not in hr.content()
    hr.get_by_label("Custodian").select_option(label="Lee Moreau")
    hr.get_by_label("Why is the identity necessary?").fill(
        "The public prosecutor requires the witness's details for a statement (StPO § 161).")
    hr.get_by_role("button", name="Request disclosure").click()
    hr.get_by_text("Request sent to the custodian.").wait_for()
    legal = new_page()
    login(legal, "legal@northwind.example")
    legal.goto("/speakup/custodian/")
    legal.get_by_label("Approve: disclose to the handlers").check()
    legal.get_by_label("Reason").fill("A prosecutor's request is a legal obligation.")
    legal.get_by_role("button", name="Record decision").click()
    legal.get_by_text("Decision recorded.").wait_for()
    shot(legal, "speakup-custodian-1280")
    hr.reload()
    hr.get_by_role("button", name="Show the identity (audited)").click()
    assert "Sam Whistle" in hr.locator("[data-identity]").inner_text()

    # An incident follows, about the employee; a warning that is not a strike is given.
    hr.get_by_label("Who the incident concerns").select_option(label="Emery Santos")
    hr.get_by_role("button", name="Open incident").click()
    hr.wait_for_url(re.compile(r".*/incidents/\d+/$"))
    incident = Incident.objects.get(organization=demo, source="speakup")
    hr.goto(f"/incidents/warnings/new/?incident={incident.pk}")
    hr.get_by_label("Kind").select_option("informal_warning")
    hr.get_by_label("What was discussed and what is expected").fill(
        "Approvals need a second signature from now on.")
    hr.get_by_role("button", name="Record").click()
    hr.get_by_text("does not count as history").wait_for()
    shot(hr, "speakup-warnings-1280")

    # The decision (gates passed through the services), then the employee appeals.
    _decide(incident)
    emp = new_page()
    login(emp, "employee@northwind.example")
    emp.goto(f"/incidents/{incident.pk}/appeal/")
    emp.get_by_label("Why do you appeal?").fill(
        "I approved the orders on my manager's written instruction; I attach it.")
    emp.get_by_role("button", name="File appeal").click()
    emp.get_by_text("Your appeal was filed.").wait_for()
    hr.goto(f"/incidents/{incident.pk}/appeal/")
    hr.get_by_label("Reviewer").select_option(label="Lee Moreau")
    hr.get_by_role("button", name="Name reviewer").click()
    hr.get_by_text("Reviewer named.").wait_for()
    appeal = incident.appeals.get()
    legal.goto(f"/incidents/appeals/{appeal.pk}/")
    legal.get_by_label("Overturned: no sanction").check()
    legal.get_by_label("Reasons").fill("The instruction in writing shows no personal fault.")
    legal.get_by_role("button", name="Record the appeal decision").click()
    legal.get_by_text("Appeal decided.").wait_for()
    emp.reload()
    assert emp.locator("[data-appeal-status]").get_attribute("data-appeal-status") == "overturned"
    shot(emp, "speakup-appeal-1280")
    hr.goto("/incidents/consistency/")
    assert hr.locator("[data-appeal-stats] [data-overturned]").first.inner_text() == "1"

    # Legal exports the case; the bundle verifies offline and a tampered copy fails.
    legal.goto(f"/legal-export/?incident={incident.pk}")
    legal.get_by_role("radio", name="One case").check()
    legal.get_by_role("button", name="Build bundle").click()
    legal.locator("[data-export-status='done']").wait_for()
    shot(legal, "speakup-export-1280")
    with legal.expect_download() as info:
        legal.get_by_role("link", name="Download bundle").click()
    bundle = Path(tmp_path) / "bundle.zip"
    info.value.save_as(bundle)
    report = verify_bundle(bundle)
    assert report.ok, report.errors
    assert report.manifest_sha256 == legal.locator("[data-manifest-sha]").inner_text().strip()
    unpacked = Path(tmp_path) / "tampered"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(unpacked)
    first = sorted((unpacked / "NATIVES").glob("*.txt"))[0]
    first.write_text(first.read_text().replace("Speak-up", "Speak up"))
    assert not verify_bundle(unpacked).ok

    # Phone width: every new page fits 390 px.
    _both(new_page, f"/speak-up/{slug}/", "start")
    _both(new_page, f"/speak-up/{slug}/fraud/", "intake")
    _both(new_page, "/speak-up/follow-up/", "key")
    _both(new_page, "/speakup/", "list", "hr@northwind.example")
    _both(new_page, f"/speakup/{concern.pk}/", "detail", "hr@northwind.example")
    _both(new_page, "/speakup/register/", "register", "hr@northwind.example")
    _both(new_page, "/speakup/settings/", "settings", "admin@northwind.example")
    _both(new_page, f"/incidents/{incident.pk}/appeal/", "appeal", "employee@northwind.example")
    _both(new_page, "/incidents/warnings/", "warnings", "hr@northwind.example")
    _both(new_page, "/legal-export/", "export", "legal@northwind.example")
    register = new_page()
    login(register, "hr@northwind.example")
    register.goto("/speakup/register/")
    assert register.locator("[data-rate]").first.inner_text() == "100%"
    shot(register, "speakup-register-1280")


def _decide(incident) -> None:  # type: ignore[no-untyped-def]
    from chorus.incidents import services as S
    from chorus.incidents.models import Incident
    from chorus.people.models import User

    hr = User.objects.get(email="hr@northwind.example")
    if S.matrix_current(organization=incident.organization) is None:
        S.matrix_install_preset(organization=incident.organization, actor=hr)
    S.incident_establish_facts(incident=incident, actor=hr, subject=incident.subject,
                               authorship_confirmed=True, lawful_access_confirmed=True,
                               note="The approvals are in the purchasing system.")
    S.incident_record_screen(incident=incident, actor=hr,
                             answers={k: "no" for k in S.PROTECTED_CHECKLIST})
    Incident.objects.filter(pk=incident.pk).update(screen_signal=Incident.Screen.CLEAR)
    incident.refresh_from_db()
    S.incident_notify(incident=incident, actor=hr, notice_text="Orders approved without goods.")
    S.incident_record_response(incident=incident, actor=incident.subject.user,
                               text="My manager told me to.")
    S.incident_assess(incident=incident, actor=hr, severity="medium", modifiers={})
    incident.refresh_from_db()
    outcome = incident.suggested_response
    if outcome == "coaching":
        outcome = "written_warning"
    S.incident_decide(incident=incident, actor=hr, outcome=outcome,
                      justification="Orders of this size need a written warning here.")
