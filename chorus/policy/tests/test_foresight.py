"""Issue 21: approval quorum, publish checks, scheduled publication and the impact preview."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chorus.checks.models import ReviewRequest
from chorus.common.errors import Conflict, InvalidInput, PermissionDenied
from chorus.policy import impact, publishing
from chorus.policy.models import ImpactPreview, PolicyVersion, ScheduledPublication
from chorus.policy.services import (
    policy_create_from_preset,
    policy_version_create_draft,
    policy_version_publish,
    policy_version_update,
)

pytestmark = pytest.mark.django_db

UNION_RULE = {
    "id": "custom.union_talk", "category": "confidential", "severity": "critical",
    "title": "No talk of unions", "text": "Do not discuss unions or wages in public.",
    "params": {"terms": ["union", "wages"]},
}
PROTECTED_TEXT = (
    "We should talk together about our wages and form a union, the night shift pay is unfair."
)


@pytest.fixture
def in_force(org, comms):
    draft = policy_create_from_preset(organization=org, actor=comms, preset="balanced",
                                      title="Social media policy")
    return policy_version_publish(version=draft, actor=comms, material=True,
                                  change_summary="First version")


@pytest.fixture
def draft(in_force, legal):
    return policy_version_create_draft(version=in_force, actor=legal)


def edit(version: PolicyVersion, actor, mutate) -> PolicyVersion:
    version.refresh_from_db()
    document = copy.deepcopy(version.document)
    mutate(document)
    return policy_version_update(version=version, actor=actor, document=document,
                                 lock_version=version.lock_version)


def add_rule(rule):
    return lambda d: d["rules"].append(dict(rule))


def require_hr_and_legal(org, admin):
    publishing.approval_settings_update(organization=org, actor=admin, roles=["hr", "legal"],
                                        group=[], group_required=0)


# --------------------------------------------------------------------------- quorum


def test_publish_needs_each_configured_role_to_approve_the_exact_content(
    org, admin, hr, legal, draft
):
    require_hr_and_legal(org, admin)
    quorum = publishing.quorum_for(draft)
    assert not quorum.met and len(quorum.missing) == 2

    publishing.policy_version_approve(version=draft, actor=hr, content_hash=quorum.content_hash)
    assert publishing.quorum_for(draft).missing == ["an approval from Legal"]
    with pytest.raises(InvalidInput) as err:
        publishing.policy_version_publish_checked(version=draft, actor=legal, material=False,
                                                  confirm_audience=0)
    assert err.value.field == "approvals"

    publishing.policy_version_approve(version=draft, actor=legal,
                                      content_hash=quorum.content_hash)
    assert publishing.quorum_for(draft).met
    version, scheduled = publishing.policy_version_publish_checked(
        version=draft, actor=legal, material=False, confirm_audience=0,
        acknowledge_lint_warnings=True)
    assert scheduled is None and version.status == PolicyVersion.Status.PUBLISHED


def test_an_edit_after_an_approval_resets_it(org, admin, hr, legal, draft):
    require_hr_and_legal(org, admin)
    digest = publishing.quorum_for(draft).content_hash
    publishing.policy_version_approve(version=draft, actor=hr, content_hash=digest)
    edit(draft, legal, add_rule(UNION_RULE))
    draft.refresh_from_db()
    quorum = publishing.quorum_for(draft)
    assert quorum.current == [] and [a.approver for a in quorum.stale] == [hr]
    # Approving with the hash of the page read before the edit is refused.
    with pytest.raises(Conflict):
        publishing.policy_version_approve(version=draft, actor=hr, content_hash=digest)


def test_only_configured_approvers_may_approve(org, admin, comms, employee, draft):
    require_hr_and_legal(org, admin)
    digest = publishing.quorum_for(draft).content_hash
    with pytest.raises(PermissionDenied):
        publishing.policy_version_approve(version=draft, actor=employee, content_hash=digest)
    with pytest.raises(PermissionDenied):
        publishing.policy_version_approve(version=draft, actor=comms, content_hash=digest)


def test_any_two_of_a_group(org, admin, hr, legal, comms, draft):
    publishing.approval_settings_update(organization=org, actor=admin, roles=[],
                                        group=[hr, legal, comms], group_required=2)
    digest = publishing.quorum_for(draft).content_hash
    publishing.policy_version_approve(version=draft, actor=comms, content_hash=digest)
    assert not publishing.quorum_for(draft).met
    publishing.policy_version_approve(version=draft, actor=hr, content_hash=digest)
    assert publishing.quorum_for(draft).met


def test_approval_settings_refuse_bad_input(org, admin, legal, outsider):
    with pytest.raises(InvalidInput) as err:
        publishing.approval_settings_update(organization=org, actor=admin, roles=["ceo"],
                                            group=[], group_required=0)
    assert err.value.field == "roles"
    with pytest.raises(InvalidInput) as err:
        publishing.approval_settings_update(organization=org, actor=admin, roles=[],
                                            group=[legal], group_required=3)
    assert err.value.field == "group_required"
    with pytest.raises(InvalidInput):
        publishing.approval_settings_update(organization=org, actor=admin, roles=[],
                                            group=[outsider], group_required=1)
    with pytest.raises(PermissionDenied):
        publishing.approval_settings_update(organization=org, actor=legal, roles=["hr"],
                                            group=[], group_required=0)


# --------------------------------------------------------------------------- checks


def test_material_change_needs_a_summary_and_the_audience_confirmed(legal, draft):
    with pytest.raises(InvalidInput) as err:
        publishing.policy_version_publish_checked(version=draft, actor=legal, material=True,
                                                  change_summary="  ", confirm_audience=0,
                                                  acknowledge_lint_warnings=True)
    assert err.value.field == "change_summary"
    with pytest.raises(InvalidInput) as err:
        publishing.policy_version_publish_checked(version=draft, actor=legal, material=True,
                                                  change_summary="New rule",
                                                  acknowledge_lint_warnings=True)
    assert err.value.field == "confirm_audience" and "Publish to 0 people?" in err.value.message
    with pytest.raises(InvalidInput) as err:
        publishing.policy_version_publish_checked(version=draft, actor=legal, material=True,
                                                  change_summary="New rule", confirm_audience=7,
                                                  acknowledge_lint_warnings=True)
    assert err.value.field == "confirm_audience"


def test_open_lint_warnings_must_be_acknowledged(legal, draft):
    edit(draft, legal, lambda d: d["sections"].update(purpose="When in doubt, don't post."))
    draft.refresh_from_db()
    state = publishing.publish_state(version=draft, material=False)
    assert "L-POL-02" in [f.lint_id for f in state.warnings]
    with pytest.raises(InvalidInput) as err:
        publishing.policy_version_publish_checked(version=draft, actor=legal, material=False,
                                                  confirm_audience=0)
    assert err.value.field == "acknowledge_lint_warnings"


def test_scheduled_publication_takes_effect_at_its_date(legal, draft):
    when = timezone.now() + timedelta(days=2)
    version, scheduled = publishing.policy_version_publish_checked(
        version=draft, actor=legal, material=False, confirm_audience=0,
        acknowledge_lint_warnings=True, effective_at=when)
    assert scheduled is not None and version.status == PolicyVersion.Status.DRAFT
    assert publishing.scheduled_publications_run(now=when - timedelta(minutes=1)) == 0
    assert publishing.scheduled_publications_run(now=when + timedelta(minutes=1)) == 1
    draft.refresh_from_db()
    assert draft.status == PolicyVersion.Status.PUBLISHED
    # Running again is harmless.
    assert publishing.scheduled_publications_run(now=when + timedelta(minutes=2)) == 0


def test_an_edit_after_scheduling_cancels_the_publication(legal, draft):
    when = timezone.now() + timedelta(days=1)
    _, scheduled = publishing.policy_version_publish_checked(
        version=draft, actor=legal, material=False, confirm_audience=0,
        acknowledge_lint_warnings=True, effective_at=when)
    edit(draft, legal, add_rule(UNION_RULE))
    assert publishing.scheduled_publications_run(now=when + timedelta(minutes=1)) == 0
    scheduled.refresh_from_db()
    draft.refresh_from_db()
    assert scheduled.status == ScheduledPublication.Status.CANCELLED
    assert "edited" in scheduled.note and draft.is_draft
    from chorus.notifications.models import Notification

    assert Notification.objects.filter(recipient=legal, kind="policy.schedule_cancelled").exists()


def test_publish_page_shows_approvals_and_the_audience(client_for, org, admin, hr, legal, draft):
    require_hr_and_legal(org, admin)
    digest = publishing.quorum_for(draft).content_hash
    client = client_for(hr)
    response = client.post(reverse("policy:version-approve", args=[draft.pk]),
                           {"content_hash": digest})
    assert response.status_code == 302
    page = client_for(legal).get(reverse("policy:version-publish", args=[draft.pk]))
    body = page.content.decode()
    assert "Hr" in body and "Approved" in body and "an approval from Legal" in body
    assert "Publish to 0 people?" in body

    # A post with the material box and no summary is refused with the reason on the field.
    response = client_for(legal).post(reverse("policy:version-publish", args=[draft.pk]),
                                      {"material": "on", "change_summary": "",
                                       "confirm_audience": "0"})
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.is_draft


def test_publish_form_refuses_a_past_effective_date(client_for, legal, draft):
    response = client_for(legal).post(
        reverse("policy:version-publish", args=[draft.pk]),
        {"change_summary": "x", "confirm_audience": "0", "effective_at": "2001-01-01T10:00"})
    assert response.status_code == 200
    assert "The effective date is in the past" in response.content.decode()


def test_api_publish_runs_the_same_checks(api_client, legal, draft):
    client = api_client(legal)
    url = f"/api/v1/policies/versions/{draft.pk}/publish"
    state = client.get(url).json()
    assert state["audience"] == 0 and state["quorum_met"] is True
    response = client.post(url, {"material": True, "change_summary": ""},
                           content_type="application/json")
    assert response.status_code == 422 and response.json()["field"] == "change_summary"
    response = client.post(url, {"material": True, "change_summary": "New", "confirm_audience": 0,
                                 "acknowledge_lint_warnings": True},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"


def test_another_organizations_version_is_404(client_for, api_client, outsider, draft):
    client = client_for(outsider)
    for name in ("version-approve", "version-preview", "version-schedule-cancel"):
        assert client.post(reverse(f"policy:{name}", args=[draft.pk])).status_code == 404
    assert client.get(reverse("policy:version-publish", args=[draft.pk])).status_code == 404
    api = api_client(outsider)
    assert api.get(f"/api/v1/policies/versions/{draft.pk}/publish").status_code == 404
    assert api.post(f"/api/v1/policies/versions/{draft.pk}/preview").status_code == 404


# --------------------------------------------------------------------------- impact preview


def _review(org, author, text):
    return ReviewRequest.objects.create(organization=org, author=author, text=text, result={})


def test_preview_replays_stored_texts_and_flags_protected_activity(
    org, legal, employee, employee2, draft, django_capture_on_commit_callbacks, client_for
):
    _review(org, employee, PROTECTED_TEXT)
    _review(org, employee2, "The union of two teams made the launch great")
    _review(org, employee2, "Lovely day at the Lisbon lab.")
    edit(draft, legal, add_rule(UNION_RULE))
    draft.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        preview = impact.impact_preview_start(version=draft, actor=legal)
    preview.refresh_from_db()
    assert preview.status == ImpactPreview.Status.DONE and preview.total == 3
    result = preview.result
    assert result["texts"] == 3 and result["newly_blocked"] == 2
    assert result["people"] == 2
    assert result["verdicts"] == {"allow→block": 2}
    assert [r["rule_id"] for r in result["rules"]] == ["custom.union_talk"]
    assert result["rules"][0]["appear"] == 2
    assert result["protected_count"] == 1
    assert result["protected"][0]["text"] == PROTECTED_TEXT

    # Publishing is refused until the conflict is fixed.
    with pytest.raises(InvalidInput) as err:
        publishing.policy_version_publish_checked(version=draft, actor=legal, material=False,
                                                  confirm_audience=0,
                                                  acknowledge_lint_warnings=True)
    assert err.value.field == "preview"
    page = client_for(legal).get(reverse("policy:version-publish", args=[draft.pk]))
    assert "about working conditions would be blocked" in page.content.decode()

    # The fix: the rule no longer lists "wages"/"union" as blocking terms.
    edit(draft, legal, lambda d: d["rules"][-1].update(params={"terms": ["Project Falcon"]}))
    draft.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        again = impact.impact_preview_start(version=draft, actor=legal)
    again.refresh_from_db()
    assert again.result["protected_count"] == 0
    publishing.policy_version_publish_checked(version=draft, actor=legal, material=False,
                                              confirm_audience=0, acknowledge_lint_warnings=True,
                                              acknowledge_lint_errors=True)


def test_preview_never_reads_texts_the_check_page_did_not_store(
    org, legal, employee, draft, client_for, django_capture_on_commit_callbacks
):
    client_for(employee).post("/check/", {"text": PROTECTED_TEXT})
    edit(draft, legal, add_rule(UNION_RULE))
    draft.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        preview = impact.impact_preview_start(version=draft, actor=legal)
    preview.refresh_from_db()
    assert preview.result["texts"] == 0


def test_monitored_post_samples_are_redacted_for_staff_who_may_not_see_them(legal, hr):
    samples = [{"source": "monitored", "text": "secret text", "spans": [[0, 6]]},
               {"source": "caption", "text": "Launch day", "spans": []}]
    for_legal = impact.redact_samples(samples, user=legal)
    assert for_legal[0]["redacted"] and for_legal[0]["text"] == ""
    assert not for_legal[1]["redacted"]
    for_hr = impact.redact_samples(samples, user=hr)
    assert not for_hr[0]["redacted"] and for_hr[0]["parts"][0] == ("secret", True)


def test_preview_status_fragment_and_api(org, legal, employee, draft, client_for, api_client,
                                         outsider, django_capture_on_commit_callbacks):
    _review(org, employee, PROTECTED_TEXT)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(legal).post(f"/api/v1/policies/versions/{draft.pk}/preview")
    assert response.status_code == 202
    preview_id = response.json()["id"]
    got = api_client(legal).get(f"/api/v1/policies/previews/{preview_id}").json()
    assert got["status"] == "done" and got["result"]["texts"] == 1
    assert "text" not in str(got["result"]["stricter"])
    fragment = client_for(legal).get(reverse("policy:preview-status", args=[preview_id]))
    assert fragment.status_code == 200 and "texts replayed" in fragment.content.decode()
    assert client_for(outsider).get(
        reverse("policy:preview-status", args=[preview_id])).status_code == 404
    assert api_client(outsider).get(f"/api/v1/policies/previews/{preview_id}").status_code == 404


def test_a_published_version_cannot_be_previewed(legal, in_force):
    with pytest.raises(InvalidInput):
        impact.impact_preview_start(version=in_force, actor=legal)


def test_cli_preview_prints_the_changes_and_flags_protected_activity(org, in_force, employee,
                                                                      tmp_path):
    from io import StringIO

    import yaml
    from django.core.management import CommandError, call_command

    _review(org, employee, PROTECTED_TEXT)
    document = copy.deepcopy(in_force.document)
    document["rules"].append(dict(UNION_RULE))
    path = tmp_path / "stricter.yaml"
    path.write_text(yaml.safe_dump(document))
    out = StringIO()
    call_command("policy", "preview", str(path), stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "1 stored texts replayed against version 1" in text
    assert "custom.union_talk" in text and "protected activity" in text
    with pytest.raises(CommandError):
        call_command("policy", "preview", str(path), "--fail-on-protected", stdout=StringIO(),
                     stderr=StringIO())
    bad = tmp_path / "bad.yaml"
    bad.write_text("organization: [\n")
    with pytest.raises(CommandError) as err:
        call_command("policy", "preview", str(bad), stdout=StringIO(), stderr=StringIO())
    assert "bad.yaml" in str(err.value)


# --------------------------------------------------------------------------- issue 17: apply


def test_appending_a_model_clause_never_repeats_what_the_section_says(draft):
    from chorus.policy.documents import apply_fix, fix_preview
    from chorus.policy.lints.structural import SAVINGS_CLAUSE

    document = copy.deepcopy(draft.document)
    document["sections"]["your_rights"] = (
        "Nothing in this policy restricts your right to discuss your pay, hours or working "
        "conditions, to organize, or to contact a government agency. Ask HR if unsure."
    )
    fix = {"kind": "append", "section": "your_rights",
           "text": SAVINGS_CLAUSE + " You may also talk to a lawyer of your choice."}
    preview = fix_preview(document, fix)
    fixed = apply_fix(document, fix)
    text = fixed["sections"]["your_rights"]
    assert text == preview
    assert text.count("Nothing in this policy restricts") == 1
    assert text.endswith("You may also talk to a lawyer of your choice.")
    # Applying again changes nothing.
    assert apply_fix(fixed, fix)["sections"]["your_rights"] == text


def test_the_lint_panel_previews_the_result_of_a_suggestion(client_for, legal, draft):
    from chorus.policy.tests.test_pages import editor_post

    data = editor_post(draft, **{"section-purpose": "When in doubt, don't post."})
    response = client_for(legal).post(reverse("policy:version-lint", args=[draft.pk]), data)
    body = response.content.decode()
    assert "Preview the result" in body and 'data-testid="fix-preview"' in body


def test_admin_chooses_approvers_on_the_page(client_for, admin, legal, hr, org):
    client = client_for(admin)
    assert client.get(reverse("policy:approvers")).status_code == 200
    response = client.post(reverse("policy:approvers"), {
        "roles": ["hr", "legal"], "group_required": "0"})
    assert response.status_code == 302
    assert publishing.approval_settings_for(organization=org).roles == ["hr", "legal"]
    response = client.post(reverse("policy:approvers"), {
        "group": [str(hr.pk)], "group_required": "5"})
    assert response.status_code == 200 and "between 0 and the 1 people" in \
        response.content.decode()
    page = client_for(legal).post(reverse("policy:approvers"), {"roles": [], "group_required": "0"})
    assert "Only an administrator" in page.content.decode()
    assert publishing.approval_settings_for(organization=org).roles == ["hr", "legal"]
