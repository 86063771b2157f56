from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from chorus.audit.models import AppendOnlyError, AuditEntry
from chorus.audit.services import audit_record, audit_verify

pytestmark = pytest.mark.django_db


def _record_three(org, actor):
    for n in range(3):
        audit_record(organization=org, actor=actor, action="test.event", data={"n": n})


def test_each_entry_links_to_the_previous_hash(org, admin):
    _record_three(org, admin)
    entries = list(AuditEntry.objects.filter(organization=org).order_by("seq"))
    assert [e.seq for e in entries][-3:] == [
        entries[-3].seq,
        entries[-3].seq + 1,
        entries[-3].seq + 2,
    ]
    for before, after in pairwise(entries):
        assert after.prev_hash == before.entry_hash
    assert audit_verify().ok


def test_editing_a_row_in_the_database_breaks_verification_at_that_entry(org, admin):
    _record_three(org, admin)
    victim = AuditEntry.objects.filter(organization=org, action="test.event").order_by("seq")[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET data = %s WHERE id = %s", ['{"n": 99}', victim.pk]
        )
    result = audit_verify()
    assert not result.ok
    assert result.broken_seq == victim.seq
    assert "edited" in result.reason
    with pytest.raises(CommandError, match=f"entry #{victim.seq}"):
        call_command("audit", "verify")


def test_deleting_a_row_is_detected_as_a_sequence_gap(org, admin):
    _record_three(org, admin)
    victim = AuditEntry.objects.filter(organization=org, action="test.event").order_by("seq")[0]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [victim.pk])
    result = audit_verify()
    assert not result.ok and result.broken_seq == victim.seq + 1
    assert "gap" in result.reason


def test_the_application_cannot_update_or_delete_entries(org, admin):
    entry = audit_record(organization=org, actor=admin, action="test.event")
    entry.action = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_chains_are_per_organization(org, other_org, admin, outsider):
    audit_record(organization=org, actor=admin, action="a")
    audit_record(organization=other_org, actor=outsider, action="b")
    assert audit_verify().ok
    assert (
        AuditEntry.objects.filter(organization=other_org).order_by("seq").first().prev_hash
        == "0" * 64
    )


def test_audit_page_is_for_admins_and_legal_only(client_for, admin, employee, legal,
                                                  django_capture_on_commit_callbacks):
    assert client_for(employee).get("/audit/").status_code == 403
    assert client_for(legal).get("/audit/").status_code == 200
    # "Verify the chain" runs in the worker: the page shows progress, then the outcome.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client_for(admin).get("/audit/?verify=1")
    assert b'data-testid="verify-progress"' in response.content
    assert b'http-equiv="refresh"' in response.content
    for callback in queued:
        callback()  # the immediate task backend runs the verification now
    response = client_for(admin).get("/audit/")
    assert b"chain intact" in response.content and b"verify-progress" not in response.content


def test_asking_twice_while_verifying_queues_one_run(admin, org):
    from chorus.audit.models import ChainVerification
    from chorus.audit.services import chain_verification_request

    first = chain_verification_request(organization=org, actor=admin)
    again = chain_verification_request(organization=org, actor=admin)
    assert first.pk == again.pk and ChainVerification.objects.count() == 1
