"""Issue 21 journey: legal drafts a stricter rule, previews its impact, fixes the protected-
activity conflict the preview flags, HR and legal approve, the version publishes; comms turns
crisis mode on (two steps), the employee's hub shows the banner and no share buttons, and
crisis mode off restores them. Screenshots at 1280 and 390 px."""

from __future__ import annotations

import re

import pytest

from e2e.conftest import SCREENSHOTS, login, shot

pytestmark = pytest.mark.e2e

PROTECTED = "We should talk together about our wages and form a union, the night shift is unfair."
CODENAME = "Falcon"


def _phone_shot(new_page, email: str, path: str, name: str) -> None:
    page = new_page(viewport={"width": 390, "height": 844})
    login(page, email)
    page.goto(path)
    width = page.evaluate("document.documentElement.scrollWidth")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert width <= 390, f"{path} is {width}px wide at 390px"


def _setup(demo):
    from chorus.checks.models import ReviewRequest
    from chorus.people.models import User
    from chorus.policy.publishing import approval_settings_update
    from chorus.policy.selectors import policy_version_current
    from chorus.screening.policy import Policy, dump_policy_yaml

    admin = User.objects.get(email="admin@northwind.example")
    approval_settings_update(organization=demo, actor=admin, roles=["hr", "legal"], group=[],
                             group_required=0)
    employee = User.objects.get(email="employee@northwind.example")
    employee2 = User.objects.get(email="employee2@northwind.example")
    ReviewRequest.objects.create(organization=demo, author=employee, text=PROTECTED, result={})
    ReviewRequest.objects.create(organization=demo, author=employee2, result={},
                                 text=f"Sneak peek: project {CODENAME} demo next week!")
    document = policy_version_current(organization=demo).document
    document = dict(document, title="Social media policy 2027")
    document["rules"] = [*document.get("rules", []), {
        "id": "custom.unreleased_projects", "category": "confidential", "severity": "critical",
        "title": "Unreleased projects", "text": "Never name a project before its launch.",
        "params": {"terms": [CODENAME, "union", "wages"]},
    }]
    return dump_policy_yaml(Policy.from_dict(document))


def test_legal_previews_fixes_gets_approvals_and_publishes_then_crisis_mode(demo, new_page):
    yaml_text = _setup(demo)

    # Legal drafts the stricter rule (imported as policy-as-code).
    legal = new_page()
    login(legal, "legal@northwind.example")
    legal.goto("/policies/import/")
    legal.get_by_label("…or paste YAML").fill(yaml_text)
    legal.get_by_role("button", name=re.compile("Import")).click()
    legal.wait_for_url(re.compile(r".*/versions/(\d+)/edit/$"))
    version_id = re.search(r"/versions/(\d+)/", legal.url).group(1)

    # The publish screen: run the impact preview (the worker runs inline in tests).
    legal.goto(f"/policies/versions/{version_id}/publish/")
    legal.get_by_role("button", name="Preview the impact").click()
    legal.wait_for_url(re.compile(r".*/publish/#impact$"))
    impact = legal.locator("#impact")
    assert impact.get_by_text("texts replayed").is_visible()
    assert impact.get_by_text(f"project {CODENAME} demo").is_visible()
    assert legal.locator("#impact-protected").is_visible()
    assert legal.get_by_role("button", name=re.compile("Publish version")).is_disabled()
    shot(legal, "foresight-01-preview-protected-conflict")

    # Fix: the rule keeps only the codename; the preview is clean of the conflict.
    legal.goto(f"/policies/versions/{version_id}/edit/")
    card = legal.locator(".rule-card").filter(has_text="Unreleased projects")
    card.locator("summary").click()
    card.get_by_label("Parameters (YAML)").fill(f"terms: [{CODENAME}]")
    legal.get_by_role("button", name="Save draft").click()
    legal.wait_for_url(re.compile(r".*/edit/(#.*)?$"))
    legal.goto(f"/policies/versions/{version_id}/publish/")
    legal.get_by_role("button", name="Run the preview again").click()
    legal.wait_for_url(re.compile(r".*/publish/#impact$"))
    assert not legal.locator("#impact-protected").is_visible()
    assert legal.locator("#impact").get_by_text(f"project {CODENAME} demo").is_visible()

    # Both approvers approve the exact content.
    legal.get_by_role("button", name="Approve this content").click()
    legal.wait_for_url(re.compile(r".*#approvals$"))
    hr = new_page()
    login(hr, "hr@northwind.example")
    hr.goto(f"/policies/versions/{version_id}/publish/")
    hr.get_by_role("button", name="Approve this content").click()
    hr.wait_for_url(re.compile(r".*#approvals$"))
    assert hr.get_by_text("Quorum met").is_visible()

    legal.goto(f"/policies/versions/{version_id}/publish/")
    assert legal.locator("#approvals").get_by_text("Approved").count() == 2
    legal.get_by_label("This is a material change").check()
    legal.get_by_label("What changed").fill("New rule: never name a project before launch.")
    for box in ("I read the open lint warnings; publish anyway",
                "Legal has reviewed the error-level lint findings; publish anyway"):
        if legal.get_by_label(box).count():
            legal.get_by_label(box).check()
    assert legal.locator("#publish-audience").get_by_text(re.compile(r"Publish to \d+")).count()
    shot(legal, "foresight-02-publish-approved")
    legal.get_by_role("button", name=re.compile("Publish version")).click()
    if "/publish/" in legal.url:  # the audience changed with "material": confirm the number
        assert legal.get_by_text(re.compile(r"Publish to \d+ (people|person)\?")).count()
        legal.get_by_label("What changed").fill("New rule: never name a project before launch.")
        for box in ("I read the open lint warnings; publish anyway",
                    "Legal has reviewed the error-level lint findings; publish anyway"):
            if legal.get_by_label(box).count():
                legal.get_by_label(box).check()
        legal.get_by_role("button", name=re.compile("Publish version")).click()
    legal.wait_for_url(re.compile(r".*/policies/current/$"))
    assert legal.get_by_text("is published").is_visible()

    # Employee's hub before the crisis: share buttons.
    employee = new_page()
    login(employee, "employee@northwind.example")
    employee.goto("/advocacy/")
    share_buttons = employee.get_by_role("link", name=re.compile("Share this"))
    before = share_buttons.count()
    assert before > 0

    # Comms turns on crisis mode: prepare, then confirm with the code.
    comms = new_page()
    login(comms, "comms@northwind.example")
    comms.goto("/posture/")
    comms.get_by_label("Topic").fill("Lisbon warehouse fire")
    comms.get_by_label("Terms screened strictly").fill("warehouse fire")
    comms.get_by_label("Holding statement employees see").fill(
        "Everyone is safe. We will share more as soon as we know more.")
    comms.get_by_label("Who to contact").fill("press@northwind.example")
    comms.locator("#crisis input[type=checkbox]").first.check()
    comms.get_by_role("button", name="Prepare crisis mode…").click()
    code = comms.get_by_test_id("confirm-code").inner_text()
    shot(comms, "foresight-03-crisis-confirm")
    comms.get_by_label("Confirmation code").fill(code)
    comms.get_by_role("button", name="Turn crisis mode on").click()
    assert comms.get_by_text("Crisis mode is on").first.is_visible()

    employee.goto("/advocacy/")
    assert employee.get_by_test_id("crisis-banner").is_visible()
    assert employee.get_by_text("press@northwind.example").is_visible()
    assert employee.get_by_role("link", name=re.compile("Share this")).count() == 0
    shot(employee, "foresight-04-hub-crisis-banner")
    _phone_shot(new_page, "employee@northwind.example", "/advocacy/",
                "foresight-04b-hub-crisis-banner-390")

    comms.get_by_role("button", name="Turn crisis mode off").click()
    assert comms.get_by_text("Crisis mode is off").first.is_visible()
    employee.goto("/advocacy/")
    assert employee.get_by_test_id("crisis-banner").count() == 0
    assert employee.get_by_role("link", name=re.compile("Share this")).count() == before
    shot(comms, "foresight-05-posture")

    _phone_shot(new_page, "legal@northwind.example", "/policies/", "foresight-06-policies-390")
    _phone_shot(new_page, "comms@northwind.example", "/posture/", "foresight-07-posture-390")
