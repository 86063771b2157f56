import json
from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.audit.services import audit_verify
from chorus.checks.models import ReviewRequest
from chorus.common.errors import InvalidInput, PermissionDenied
from chorus.incidents.models import Incident
from chorus.monitoring.models import ConsentRecord, IngestedPost, LinkedAccount
from chorus.onboarding.models import Attestation
from chorus.ops.orgdata import org_row_counts
from chorus.ops.tests.helpers import populate
from chorus.people.models import Person
from chorus.people.roles import Role
from chorus.privacy.registry import contributors
from chorus.privacy.services import person_erase, person_export
from chorus.reports.models import Submission
from conftest import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def traces(settings, tmp_path, hr, comms, admin, employee):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    data = populate(hr=hr, author=comms, approver=admin, member=employee, tag="north")
    IngestedPost.objects.create(
        organization=employee.organization,
        account=data["account"],
        network="mastodon",
        external_id="post-1",
        url="https://m.example/@north/1",
        text="My weekend hike photos",
        published_at=timezone.now(),
    )
    ConsentRecord.objects.create(
        organization=employee.organization,
        account=data["account"],
        person=employee.person,
        actor=employee,
        action="granted",
        version="1",
        text="I consent to @north",
        text_sha256="0" * 64,
    )
    return data


def _export(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_every_app_contributes_through_its_app_config_and_people_erase_last():
    from chorus.privacy.registry import export_contributors

    labels = [c.app_label for c in contributors()]

    assert {
        "people",
        "audit",
        "onboarding",
        "advocacy",
        "reports",
        "incidents",
        "monitoring",
        "checks",
    } <= set(labels)
    assert labels[-1] == "people"
    shown = [c.app_label for c in export_contributors()]
    assert (shown[0], shown[-1]) == ("people", "audit")


def test_the_account_page_links_to_the_self_service_export(client_for, employee):
    page = client_for(employee).get("/account/").content.decode()

    assert 'href="/privacy/me/"' in page


def test_a_person_reads_everything_held_about_them_but_not_anonymous_reports(
    client_for, employee, traces
):
    client = client_for(employee)

    page = _export(client, "/privacy/me/export/").content.decode()

    assert "Employee" in page and "employee@northwind-robotics.example" in page
    assert "Threats at our support engineer (north)." in page  # their named report
    assert "Someone leaked the roadmap" not in page  # their anonymous one stays unlinkable
    assert "Anonymous reports are stored without any link" in page
    assert "Social media policy" in page  # attestation
    assert "@north@m.example" in page and "My weekend hike photos" in page
    assert "Is this fine to post? north" in page
    assert traces["share"].text[:30] in page
    assert "Mocked a customer north" in page


def test_the_json_export_is_a_download_and_is_audited_as_self_service(client_for, employee, traces):
    response = _export(client_for(employee), "/privacy/me/export.json")

    assert response["Content-Disposition"].startswith('attachment; filename="chorus-data-')
    document = json.loads(response.content)
    assert document["format"] == "chorus-person-export"
    apps = {block["app"]: block for block in document["data"]}
    assert {"People", "Reports (eyes and ears)", "Monitoring", "Audit trail"} <= set(apps)
    entry = AuditEntry.objects.filter(action="privacy.person_exported").latest("seq")
    assert entry.data == {"format": "json", "self_service": True}
    assert entry.actor_id == employee.pk


def test_hr_exports_on_request_and_it_is_audited(client_for, hr, employee, traces):
    client = client_for(hr)

    page = _export(client, f"/privacy/people/{employee.person.pk}/export/").content.decode()
    document = json.loads(
        _export(client, f"/privacy/people/{employee.person.pk}/export.json").content
    )

    assert "Threats at our support engineer (north)." in page
    assert document["person_id"] == employee.person.pk
    entries = AuditEntry.objects.filter(action="privacy.person_exported", actor_id=hr.pk)
    assert [e.data for e in entries.order_by("seq")] == [
        {"format": "html", "self_service": False},
        {"format": "json", "self_service": False},
    ]


def test_data_request_pages_are_for_hr_and_admins_only(client_for, employee, employee2):
    client = client_for(employee)

    assert client.get("/privacy/").status_code == 403
    assert client.get(f"/privacy/people/{employee2.person.pk}/").status_code == 403
    assert client.get(f"/privacy/people/{employee2.person.pk}/export.json").status_code == 403
    assert (
        client.post(
            f"/privacy/people/{employee2.person.pk}/erase/",
            {"confirm_name": "Employee2", "reason": "x"},
        ).status_code
        == 403
    )


def test_another_organizations_people_and_erasures_are_404(
    client_for, hr, outsider, employee, traces
):
    theirs = client_for(outsider)
    pk = employee.person.pk

    for url in (
        f"/privacy/people/{pk}/",
        f"/privacy/people/{pk}/export/",
        f"/privacy/people/{pk}/export.json",
    ):
        assert theirs.get(url).status_code == 404
    assert (
        theirs.post(
            f"/privacy/people/{pk}/erase/", {"confirm_name": "Employee", "reason": "Art. 17"}
        ).status_code
        == 404
    )
    record = person_erase(
        actor=hr, person=employee.person, confirm_name="Employee", reason="Art. 17"
    )
    assert theirs.get(f"/privacy/erasures/{record.pk}/").status_code == 404
    assert Person.objects.get(pk=pk).full_name == f"Erased person #{pk}"


def test_erasure_needs_the_exact_name_and_a_reason_without_the_name(
    client_for, hr, employee, traces
):
    client = client_for(hr)
    url = f"/privacy/people/{employee.person.pk}/erase/"

    wrong = client.post(url, {"confirm_name": "employee", "reason": "Art. 17 request"})
    named = client.post(url, {"confirm_name": "Employee", "reason": "Request by Employee"})

    assert (
        wrong.status_code == 422
        and "Type the person&#x27;s full name exactly" in wrong.content.decode()
    )
    assert named.status_code == 422 and "Leave the person&#x27;s name" in named.content.decode()
    assert Person.objects.get(pk=employee.person.pk).full_name == "Employee"


def test_nobody_erases_their_own_data(hr):
    with pytest.raises(PermissionDenied, match="cannot erase your own"):
        person_erase(actor=hr, person=hr.person, confirm_name="Hr", reason="Art. 17")


def test_erasure_removes_pseudonymizes_and_keeps_with_the_legal_reason(
    client_for, hr, legal, employee, traces, django_capture_on_commit_callbacks
):
    from chorus.incidents.services import incident_set_legal_hold

    person, user = employee.person, employee
    incident_set_legal_hold(
        incident=traces["incident"],
        actor=legal,
        hold=True,
        reason="Matter 2026-14 (harassment claim)",
    )
    anonymous = Submission.objects.get(pk=traces["anonymous"].submission.pk)
    client = client_for(hr)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/privacy/people/{person.pk}/erase/",
            {"confirm_name": "Employee", "reason": "Art. 17 request of 3 May"},
        )

    assert response.status_code == 302
    receipt = client.get(response["Location"]).content.decode()
    assert "Legal hold: Matter 2026-14 (harassment claim)" in receipt
    assert "Art. 7(1)" in receipt  # consent records kept
    assert "hash-chained" in receipt  # audit trail kept, pseudonymized by reference
    assert "Evidence that this person received and acknowledged the policy" in receipt

    person.refresh_from_db()
    user.refresh_from_db()
    assert person.full_name == f"Erased person #{person.pk}"
    assert person.email == f"erased-{person.pk}@erased.invalid"
    assert not user.is_active and not user.has_usable_password() and not user.groups.exists()
    assert "employee@" not in user.email
    # Reports: the named submission loses its reporter, the anonymous one is untouched.
    named = Submission.objects.get(report=traces["report"], anonymous=False)
    assert named.reporter_id is None and named.description.startswith("Threats")
    assert Submission.objects.get(pk=anonymous.pk).key_hash == anonymous.key_hash
    # Kept: attestation (evidence), the incident on hold, consent records.
    assert Attestation.objects.filter(person=person).count() == 1
    assert Incident.objects.filter(pk=traces["incident"].pk, subject=person).exists()
    assert ConsentRecord.objects.filter(person=person).count() == 1
    # Erased: posts, review drafts; pseudonymized: linked account, share text.
    assert not IngestedPost.objects.filter(account__person=person).exists()
    account = LinkedAccount.objects.get(pk=traces["account"].pk)
    assert (account.status, account.handle) == ("revoked", "erased")
    assert not ReviewRequest.objects.filter(author=user).exists()
    traces["share"].refresh_from_db()
    assert traces["share"].text == "" and traces["share"].code
    # Audit: chain intact, the erasure entry carries no name, the log shows the pseudonym.
    assert audit_verify(organization_id=person.organization_id).ok
    entry = AuditEntry.objects.filter(action="privacy.person_erased").get()
    assert entry.target_label == f"Erased person #{person.pk}"
    assert "Employee" not in json.dumps(entry.data)


def test_the_audit_log_shows_an_erased_person_by_pseudonym(client_for, admin, hr, employee, traces):
    before = client_for(admin).get("/audit/?action=reports.").content.decode()
    assert "employee@northwind-robotics.example" in before

    person_erase(actor=hr, person=employee.person, confirm_name="Employee", reason="Art. 17")

    after = client_for(admin).get("/audit/?action=reports.").content.decode()
    assert "employee@northwind-robotics.example" not in after
    assert f"Erased person #{employee.person.pk}" in after
    assert AuditEntry.objects.filter(actor_label="employee@northwind-robotics.example").exists()
    export = client_for(admin).get("/audit/?action=reports.&export=csv").content.decode()
    assert "employee@northwind-robotics.example" not in export
    assert f"Erased person #{employee.person.pk}" in export


def test_a_closed_incident_past_retention_is_erased_and_one_within_is_kept(hr, employee, traces):
    from chorus.incidents.models import Incident

    old = traces["incident"]
    Incident.objects.filter(pk=old.pk).update(
        status="closed", closed_at=timezone.now() - timedelta(days=800)
    )
    recent = Incident.objects.create(
        organization=employee.organization,
        subject=employee.person,
        source="manual",
        title="Recent",
        opened_at=timezone.now(),
        status="closed",
        closed_at=timezone.now(),
    )

    record = person_erase(
        actor=hr, person=employee.person, confirm_name="Employee", reason="Art. 17"
    )

    assert not Incident.objects.filter(pk=old.pk).exists()
    assert Incident.objects.filter(pk=recent.pk).exists()
    incidents = next(a for a in record.outcome if a["app"] == "Incidents")
    assert incidents["erased"] == [
        ["closed incidents past retention, with evidence and timeline", 1]
    ]
    assert "retention period for incident records runs until" in incidents["kept"][0]["reason"]


def test_erasure_is_done_once_and_touches_no_other_organization(hr, employee, other_org, outsider):
    other_member = make_member(org=other_org, key="othermember", roles=[Role.EMPLOYEE])
    before = org_row_counts(organization_id=other_org.pk)

    person_erase(actor=hr, person=employee.person, confirm_name="Employee", reason="Art. 17")

    assert org_row_counts(organization_id=other_org.pk) == before
    other_member.refresh_from_db()
    assert other_member.is_active and other_member.person.full_name == "Othermember"
    with pytest.raises(InvalidInput, match="already erased"):
        person_erase(
            actor=hr,
            person=Person.objects.get(pk=employee.person.pk),
            confirm_name=f"Erased person #{employee.person.pk}",
            reason="again",
        )


def test_an_export_by_someone_else_without_hr_is_refused(employee, employee2):
    with pytest.raises(PermissionDenied):
        person_export(actor=employee2, person=employee.person, fmt="json")


def test_a_candidate_without_an_account_is_exported_and_erased(client_for, hr, org):
    from chorus.people.services import person_create

    candidate = person_create(organization=org, full_name="Riley Chen", email="riley@cand.example")
    client = client_for(hr)

    page = _export(client, f"/privacy/people/{candidate.pk}/export/").content.decode()
    response = client.post(
        f"/privacy/people/{candidate.pk}/erase/",
        {"confirm_name": "Riley Chen", "reason": "Candidate request"},
    )

    assert "riley@cand.example" in page
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.email == f"erased-{candidate.pk}@erased.invalid"


def test_the_only_administrator_cannot_be_erased(hr, admin):
    with pytest.raises(InvalidInput, match="only active administrator"):
        person_erase(actor=hr, person=admin.person, confirm_name="Admin", reason="Art. 17")

    second = make_member(org=admin.organization, key="second_admin", roles=[Role.ADMIN])
    person_erase(actor=second, person=admin.person, confirm_name="Admin", reason="Art. 17")
    admin.refresh_from_db()
    assert not admin.is_active
