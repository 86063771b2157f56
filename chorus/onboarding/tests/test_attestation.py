import datetime
import json
import re

import pytest
from django.core import mail, signing
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.common.errors import Conflict, InvalidInput
from chorus.onboarding.models import (
    AppendOnlyError,
    Assignment,
    Attestation,
    AttestationLink,
    Campaign,
)
from chorus.onboarding.services import (
    LINK_SALT,
    attestation_create,
    attestation_link_create,
    introduce_stage_for,
    knowledge_check_add_question,
    person_set_stage,
)
from chorus.onboarding.tests.conftest import make_campaign, publish_version
from chorus.people.models import Person

pytestmark = pytest.mark.django_db


def attest(assignment, **kw):
    defaults = dict(channel=Attestation.Channel.SESSION, read_stated=True,
                    content_hash=assignment.version.content_hash, confirmed=True)
    return attestation_create(assignment=assignment, **{**defaults, **kw})


def test_the_preset_decides_when_new_hires_meet_the_policy(org, comms):
    assert introduce_stage_for(organization=org, version=None) == "pre_boarding"
    strict = publish_version(author=comms, preset="strict")
    assert introduce_stage_for(organization=org, version=strict) == "offer"
    loose = publish_version(author=comms, preset="loose")
    assert introduce_stage_for(organization=org, version=loose) == "first_week"


def test_new_hires_are_assigned_when_they_reach_the_introduction_stage(
        org, hr, version, django_capture_on_commit_callbacks):
    early = Person.objects.create(organization=org, full_name="Early", email="e@x.example",
                                  status="candidate")
    campaign = make_campaign(hr=hr, version=version, audience=Campaign.Audience.NEW_HIRES)
    person_set_stage(person=early, stage="offer", actor=hr)
    assert not campaign.assignments.exists()  # balanced preset: not before pre-boarding

    with django_capture_on_commit_callbacks(execute=True):
        person_set_stage(person=early, stage="pre_boarding", actor=hr)

    assignment = campaign.assignments.get()
    assert assignment.person == early and assignment.version == version
    assert mail.outbox[-1].to == ["e@x.example"]
    link = re.search(r"http://\S+/a/(\S+)", mail.outbox[-1].body)
    assert link, "a person without an account gets a personal link"


def test_attesting_records_who_what_when_how_and_the_exact_text(
        employee, hr, version):
    campaign = make_campaign(hr=hr, version=version)
    assignment = campaign.assignments.get(person=employee.person)

    record = attest(assignment, user=employee)

    assert (record.person, record.version, record.channel) == (
        employee.person, version, "session")
    assert record.content_hash == version.content_hash
    assert record.text_shown == version.plain_text()
    assert "receipt only" in record.statement and "not consent to monitoring" in record.statement
    assignment.refresh_from_db()
    assert assignment.status == "done"
    entry = AuditEntry.objects.get(action="onboarding.attested")
    assert entry.data["content_hash"] == version.content_hash


def test_double_submission_writes_one_record(employee, hr, version):
    assignment = make_campaign(hr=hr, version=version).assignments.get(person=employee.person)

    first = attest(assignment, user=employee)
    second = attest(assignment, user=employee)

    assert first.pk == second.pk
    assert Attestation.objects.count() == 1
    assert AuditEntry.objects.filter(action="onboarding.attested").count() == 1


def test_attestations_are_append_only(employee, hr, version):
    record = attest(make_campaign(hr=hr, version=version).assignments.get(
        person=employee.person), user=employee)

    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        Attestation.objects.filter(pk=record.pk).update(channel="link")
    with pytest.raises(AppendOnlyError):
        Attestation.objects.all().delete()


def test_unconfirmed_or_stale_text_writes_nothing(employee, hr, version):
    assignment = make_campaign(hr=hr, version=version).assignments.get(person=employee.person)

    with pytest.raises(InvalidInput, match="Tick the box"):
        attest(assignment, confirmed=False)
    with pytest.raises(Conflict, match="changed while you were reading"):
        attest(assignment, content_hash="0" * 64)
    assert not Attestation.objects.exists()


def test_the_quiz_must_be_passed_before_acknowledging(employee, hr, version):
    q1 = knowledge_check_add_question(version=version, actor=hr, prompt="Pay talk allowed?",
                                      choices=["No", "Yes"], correct=1)
    q2 = knowledge_check_add_question(version=version, actor=hr, prompt="Disclose?",
                                      choices=["Yes", "No"], correct=0)
    assignment = make_campaign(hr=hr, version=version).assignments.get(person=employee.person)

    with pytest.raises(InvalidInput, match="1 of 2 questions correctly; 2 are needed"):
        attest(assignment, answers={q1.pk: 1, q2.pk: 1})
    assert not Attestation.objects.exists()

    record = attest(assignment, answers={q1.pk: 1, q2.pk: 0})
    assert (record.quiz_correct, record.quiz_total) == (2, 2)


# --- personal links ---------------------------------------------------------------------------


def _link_for(candidate, hr, version):
    campaign = make_campaign(hr=hr, version=version, audience=Campaign.Audience.NEW_HIRES)
    assignment = campaign.assignments.get(person=candidate)
    return assignment, attestation_link_create(assignment=assignment, actor=hr)


def test_a_candidate_attests_through_the_personal_link(client, candidate, hr, version):
    _, token = _link_for(candidate, hr, version)

    page = client.get(f"/a/{token}")
    assert page.status_code == 200 and "Riley Chen" in page.content.decode()
    assert not Attestation.objects.exists()  # opening the link writes nothing

    done = client.post(f"/a/{token}", {"content_hash": version.content_hash, "confirm": "yes", "read_to_end": "yes"})
    assert done.status_code == 200 and "Thank you, Riley Chen" in done.content.decode()
    record = Attestation.objects.get()
    assert (record.person, record.channel, record.user_id_at_time) == (candidate, "link", None)
    assert AttestationLink.objects.get().used_at is not None


def test_a_reused_link_gets_a_clear_page_and_writes_nothing(client, candidate, hr, version):
    _, token = _link_for(candidate, hr, version)
    client.post(f"/a/{token}", {"content_hash": version.content_hash, "confirm": "yes", "read_to_end": "yes"})

    again = client.post(f"/a/{token}", {"content_hash": version.content_hash, "confirm": "yes", "read_to_end": "yes"})

    assert again.status_code == 410 and "already used" in again.content.decode()
    assert Attestation.objects.count() == 1


def test_a_tampered_link_gets_a_clear_page_and_writes_nothing(client, candidate, hr, version):
    _, token = _link_for(candidate, hr, version)
    link = AttestationLink.objects.get()
    forged = signing.TimestampSigner(salt="another-salt").sign(f"{link.pk}-{link.nonce}")
    other_person = token.replace(f"{link.pk}-", f"{link.pk + 1}-", 1)

    for bad in (token[:-3] + "abc", forged, other_person, "nonsense"):
        response = client.post(f"/a/{bad}", {"content_hash": version.content_hash,
                                             "confirm": "yes"})
        assert response.status_code == 400, bad
        assert "does not work" in response.content.decode()
    assert not Attestation.objects.exists()


def test_an_expired_link_gets_a_clear_page_and_writes_nothing(
        client, candidate, hr, version, monkeypatch):
    _, token = _link_for(candidate, hr, version)
    later = timezone.now() + datetime.timedelta(days=15)  # default validity: 14 days
    monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())

    response = client.post(f"/a/{token}", {"content_hash": version.content_hash,
                                           "confirm": "yes"})

    assert response.status_code == 410 and "expired" in response.content.decode()
    assert not Attestation.objects.exists()


def test_a_link_is_for_one_person_only(candidate, hr, version, org):
    _, token = _link_for(candidate, hr, version)
    value = signing.TimestampSigner(salt=LINK_SALT).unsign(token)
    assert value.split("-")[0] == str(AttestationLink.objects.get().pk)
    assert AttestationLink.objects.get().assignment.person == candidate


# --- material and non-material versions -----------------------------------------------------


def test_a_material_version_asks_everyone_who_attested_to_reattest_with_the_diff(
        client_for, employee, employee2, hr, comms, version, django_capture_on_commit_callbacks):
    campaign = make_campaign(hr=hr, version=version)
    attest(campaign.assignments.get(person=employee.person), user=employee)

    v2 = publish_version(author=comms, previous=version, material=True,
                         purpose="We now explain advocacy disclosures.",
                         capture=django_capture_on_commit_callbacks)

    reattest = Assignment.objects.get(person=employee.person, version=v2)
    assert reattest.previous_version == version
    assert reattest.display_status(timezone.now()) == "needs_reattest"
    assert reattest.campaign.audience == Campaign.Audience.REATTEST
    # Sam never attested: asked for the new text in the campaign's follow-up, as an ordinary
    # request; the old campaign keeps version 1 and says the request moved.
    campaign.refresh_from_db()
    assert campaign.version == version and campaign.closed_at is not None
    moved = Assignment.objects.get(person=employee2.person, campaign=campaign)
    assert moved.status == Assignment.Status.SUPERSEDED and moved.version == version
    pending = Assignment.objects.get(person=employee2.person, campaign=campaign.superseded_by)
    assert pending.version == v2 and pending.previous_version is None
    page = client_for(employee).get(f"/onboarding/me/{reattest.pk}/").content.decode()
    assert "What changed" in page and "advocacy disclosures" in page


def test_a_non_material_version_asks_nothing_of_people_who_attested(
        employee, hr, comms, version, django_capture_on_commit_callbacks):
    attest(make_campaign(hr=hr, version=version).assignments.get(person=employee.person),
           user=employee)

    v2 = publish_version(author=comms, previous=version, material=False,
                         capture=django_capture_on_commit_callbacks)

    assert not Assignment.objects.filter(person=employee.person, version=v2).exists()
    assert not Campaign.objects.filter(audience=Campaign.Audience.REATTEST).exists()


# --- evidence export --------------------------------------------------------------------------


def test_hr_exports_evidence_as_csv_and_json_and_the_export_is_audited(
        client_for, employee, hr, version):
    attest(make_campaign(hr=hr, version=version).assignments.get(person=employee.person),
           user=employee)
    client = client_for(hr)

    as_csv = client.get("/onboarding/evidence/?format=csv")
    as_json = client.get("/onboarding/evidence/?format=json")

    assert as_csv["Content-Type"].startswith("text/csv")
    assert employee.email in b"".join(as_csv.streaming_content).decode("utf-8-sig")
    raw = b"".join(as_json.streaming_content)
    data = json.loads(raw)
    assert data["attestations"][0]["text_shown"] == version.plain_text()
    # Streamed, yet exactly the document json.dumps(indent=2) would have built whole.
    assert raw.decode() == json.dumps(data, indent=2, ensure_ascii=False)
    assert AuditEntry.objects.filter(action="onboarding.evidence_exported").count() == 2


def test_employees_cannot_export_evidence(client_for, employee):
    assert client_for(employee).get("/onboarding/evidence/?format=json").status_code == 403


def test_the_evidence_csv_neutralizes_tabs_and_carriage_returns_too(client_for, hr, employee,
                                                                    version):
    from chorus.onboarding.services import attestations_export

    Person.objects.filter(pk=employee.person.pk).update(full_name="\t=cmd")
    campaign = make_campaign(hr=hr, version=version)
    attest(campaign.assignments.get(person=employee.person), user=employee)

    chunks, _, _ = attestations_export(organization=hr.organization, actor=hr, fmt="csv",
                                       attestations=Attestation.objects.all())
    body = b"".join(chunks)

    assert body.startswith("\ufeff".encode()) and b",'\t=cmd," in body
