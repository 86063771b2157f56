"""Offboarding: one service, run when HR marks a leaver (and by SCIM, see the replay tests);
each app does its part, every step is audited, a second run changes nothing, and the person
reads a plain-language summary."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from chorus.advocacy.analytics import period_ending_today, points_for
from chorus.advocacy.services import share_confirm, share_create
from chorus.advocacy.tests.conftest import make_item
from chorus.audit.models import AuditEntry
from chorus.monitoring.models import ConsentRecord, LinkedAccount
from chorus.notifications.events import register_event_handler
from chorus.notifications.models import Notification
from chorus.onboarding.models import Assignment
from chorus.onboarding.services import person_update
from chorus.onboarding.tests.conftest import make_campaign, publish_version
from chorus.people.models import ApiToken, Person
from chorus.provisioning.models import Offboarding, VerifiedHandle
from chorus.provisioning.services import affiliation_request, person_offboard, summary_url
from chorus.reports.services import report_create_from_monitoring

pytestmark = pytest.mark.django_db
DID = "did:plc:abcdefghijklmnopqrstuvwx"
EVENTS: list[tuple[str, dict]] = []


def _record_event(organization, type, data):
    EVENTS.append((type, data))


register_event_handler(_record_event)


def linked_account(person, **extra):
    now = timezone.now()
    fields = dict(organization=person.organization, person=person, network="mastodon",
                  handle="@emery@mastodon.example", external_id="109", status="active",
                  profile_url="https://mastodon.example/@emery", verified_at=now,
                  consented_at=now, read_from=now, consent_version="2026-12.1")
    fields.update(extra)
    return LinkedAccount.objects.create(**fields)


@pytest.fixture
def leaver(scim_org, employee, comms, admin, hr, django_capture_on_commit_callbacks):
    """An employee with everything offboarding touches: an open attestation request, a
    proven linked account, a confirmed share with a tracked link, a verified handle, an API
    token and an open report about them."""
    person = employee.person
    version = publish_version(author=comms)
    make_campaign(hr=hr, version=version)
    assert person.attestation_assignments.filter(status=Assignment.Status.PENDING).exists()
    linked_account(person)
    item = make_item(author=comms, approver=admin)
    share = share_create(user=employee, item=item, network="mastodon",
                         text="Our new robotics lab in Lisbon is open.",
                         mastodon_instance="mastodon.example")
    share_confirm(user=employee, share=share)
    affiliation_request(user=employee, name="emery", domain="northwind.example", did=DID)
    ApiToken.objects.create(user=employee, name="cli", prefix="chorus_x", token_hash="a" * 64)
    report_create_from_monitoring(organization=scim_org, url="https://mastodon.example/@x/1",
                                  network="mastodon", category="other",
                                  description="A post about work", subject=person)
    return person, share


def test_hr_marking_a_leaver_offboards_them_in_every_app(leaver, hr, employee, settings,
                                                         django_capture_on_commit_callbacks):
    # The operator lists the handle domain in ALLOWED_HOSTS (README: verified affiliation).
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".northwind.example"]
    person, share = leaver
    public = Client()
    public.get(f"/l/{share.code}", HTTP_USER_AGENT="Mozilla/5.0 Firefox/130",
               REMOTE_ADDR="198.51.100.7")
    points_before = points_for(user=employee, period=period_ending_today(7))
    assert public.get("/.well-known/atproto-did", HTTP_HOST="emery.northwind.example"
                      ).content.decode() == DID
    EVENTS.clear()

    with django_capture_on_commit_callbacks(execute=True):
        person_update(person=person, actor=hr, values={"status": "leaver"})

    person.refresh_from_db()
    employee.refresh_from_db()
    assert person.status == Person.Status.LEAVER
    # Account closed: sessions end (epoch bumped) and tokens revoked.
    assert not employee.is_active and employee.session_epoch == 1
    assert not ApiToken.objects.filter(user=employee, revoked_at__isnull=True).exists()
    # Monitoring consent ended; nothing is polled (not monitored) and the record says why.
    account = LinkedAccount.objects.get(person=person)
    assert account.status == "revoked" and not account.is_monitored
    assert "left Northwind Robotics" in ConsentRecord.objects.filter(
        person=person, action="revoked").get().text
    # Attestation requests closed.
    assert not person.attestation_assignments.filter(status=Assignment.Status.PENDING).exists()
    # Tracked link still redirects, but later clicks no longer count for them.
    share.refresh_from_db()
    assert share.attribution_ended_at is not None
    later = Client().get(f"/l/{share.code}", HTTP_USER_AGENT="Mozilla/5.0 Firefox/130",
                         REMOTE_ADDR="203.0.113.9")
    assert later.status_code == 302
    assert share.clicks.count() == 2
    assert points_for(user=employee, period=period_ending_today(7)) == points_before
    # Verified affiliation revoked at once.
    assert VerifiedHandle.objects.get(person=person).revoked_at is not None
    assert public.get("/.well-known/atproto-did", HTTP_HOST="emery.northwind.example"
                      ).status_code == 404
    # The open report about them stays open (retention), and the summary says so.
    record = Offboarding.objects.get(person=person)
    summaries = {s["key"]: s["summary"] for s in record.steps}
    assert "1 open report about you stays open" in summaries["reports.kept"]
    assert record.source == "hr" and record.actor == hr
    # Every step audited; the event emitted once; the person told where to read it.
    steps = AuditEntry.objects.filter(action="offboarding.step", target_id=str(person.pk))
    assert {e.data["step"] for e in steps} == set(summaries)
    assert [("person.offboarded", {"person_id": person.pk, "source": "hr",
                                             "offboarded_at": record.offboarded_at.isoformat()})] == EVENTS
    told = Notification.objects.get(recipient=employee, kind="provisioning.offboarded")
    page = Client().get(told.link)
    text = page.content.decode()
    assert page.status_code == 200 and "What happens to your data" in text
    assert "Posts it had stored are deleted after the retention period" in text
    assert page["Cache-Control"] == "no-store"


def test_offboarding_twice_changes_nothing_and_tells_nobody_again(leaver, hr, employee,
                                                                  django_capture_on_commit_callbacks):
    person, _ = leaver
    with django_capture_on_commit_callbacks(execute=True):
        person_offboard(person=person, actor=hr, reason="Left", source="hr")
    audited = AuditEntry.objects.count()
    EVENTS.clear()

    with django_capture_on_commit_callbacks(execute=True):
        again = person_offboard(person=person, actor=hr, reason="Left", source="hr")

    assert again.runs == 2
    assert [e.action for e in AuditEntry.objects.order_by("seq")[audited:]] == [
        "offboarding.repeated"]
    assert EVENTS == []
    assert Notification.objects.filter(kind="provisioning.offboarded").count() == 1
    assert ConsentRecord.objects.filter(person=person, action="revoked").count() == 1


def test_hr_sees_the_summary_and_other_organizations_do_not(leaver, hr, employee2, outsider,
                                                            client_for):
    person, _ = leaver
    person_offboard(person=person, actor=hr, reason="Moved abroad", source="hr")

    page = client_for(hr).get(f"/provisioning/offboarding/{person.pk}/")
    assert page.status_code == 200 and "Moved abroad" in page.content.decode()
    assert person.full_name in client_for(hr).get("/provisioning/offboarding/").content.decode()
    assert client_for(outsider).get(f"/provisioning/offboarding/{person.pk}/").status_code == 404
    assert client_for(employee2).get(f"/provisioning/offboarding/{person.pk}/").status_code == 403


def test_a_tampered_or_old_summary_link_is_refused(leaver, hr):
    person, _ = leaver
    person_offboard(person=person, actor=hr, reason="", source="hr")
    url = summary_url(person)
    assert Client().get(url[:-3] + "xyz/").status_code == 404
    record = Offboarding.objects.get(person=person)
    record.reactivated_at = timezone.now() - datetime.timedelta(days=1)
    record.save()
    assert Client().get(url).status_code == 404


def test_the_last_administrator_keeps_the_account(scim_org, admin, hr):
    record = person_offboard(person=admin.person, actor=hr, reason="", source="hr")
    admin.refresh_from_db()
    assert admin.is_active
    assert any(s["key"] == "accounts.kept_last_admin" for s in record.steps)


def test_a_leaver_in_the_hr_import_is_offboarded(scim_org, hr, employee, employee2):
    from chorus.onboarding.services import people_import_apply, people_import_upload

    text = ("name,email,department,status,location\n"
            f"Employee,{employee.email},Engineering,leaver,Berlin\n"
            f"Employee2,{employee2.email},Engineering,employee,Berlin\n")
    upload = people_import_upload(organization=scim_org, actor=hr, filename="hr.csv",
                                  raw=text.encode())
    people_import_apply(people_import=upload, actor=hr)

    employee.refresh_from_db()
    employee2.refresh_from_db()
    assert not employee.is_active and employee2.is_active
    record = Offboarding.objects.get(person=employee.person)
    assert record.source == "hr" and "hr.csv" in record.reason
    assert not Offboarding.objects.filter(person=employee2.person).exists()
