from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.common.errors import Conflict, InvalidInput, PermissionDenied
from chorus.speakup.models import Attachment, Concern, DeletionLog, IdentityRequest
from chorus.speakup.services import (
    channel_settings_save,
    concern_close,
    concern_declare_conflict,
    concern_purge_expired,
    identity_decide,
    identity_request,
    identity_visible_to,
    redact,
    retention_rule_save,
)
from chorus.speakup.tests.conftest import jpeg_with_exif, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(org, admin, hr, legal):
    channel_settings_save(organization=org, actor=admin, handlers=[hr], custodians=[legal],
                          lead=admin)


def test_identity_is_sealed_until_the_custodian_approves_and_the_reporter_is_told(
        org, hr, legal, channel, client_for):
    concern, _ = submit(org, identity="Jane Reporter, +49 30 1234")
    assert not identity_visible_to(concern, hr)
    page = client_for(hr).get(f"/speakup/{concern.pk}/").content.decode()
    assert "Jane Reporter" not in page

    with pytest.raises(InvalidInput):
        identity_request(concern=concern, actor=hr, justification="need it", custodian=legal)
    req = identity_request(concern=concern, actor=hr, custodian=legal,
                           justification="The prosecutor asked for the witness's name under "
                                         "a court order (StPO § 95).")
    with pytest.raises(PermissionDenied):
        identity_decide(request=req, actor=hr, approve=True, note="self-approval")
    identity_decide(request=req, actor=legal, approve=True, note="Court order received.")

    assert identity_visible_to(concern, hr)
    told = concern.messages.get()
    assert "disclosed" in told.body and "Court order" in told.body
    shown = client_for(hr).post(f"/speakup/{concern.pk}/identity/show/").content.decode()
    assert "Jane Reporter" in shown
    actions = set(AuditEntry.objects.filter(organization=org).values_list("action", flat=True))
    assert {"speakup.identity_requested", "speakup.identity_disclosed",
            "speakup.identity_viewed"} <= actions
    assert IdentityRequest.objects.get().reporter_told


def test_a_refused_request_keeps_the_identity_sealed(org, hr, legal, channel):
    concern, _ = submit(org, identity="Jane")
    req = identity_request(concern=concern, actor=hr, custodian=legal,
                           justification="It would make the interviews much faster for us.")
    identity_decide(request=req, actor=legal, approve=False, note="Not necessary.")
    assert not identity_visible_to(concern, hr)
    assert concern.messages.count() == 0


def test_a_handler_who_declares_a_conflict_loses_access(org, hr, legal, admin, client_for):
    channel_settings_save(organization=org, actor=admin, handlers=[hr, legal], custodians=[],
                          lead=None)
    concern, _ = submit(org)
    assert concern.handler == hr

    concern_declare_conflict(concern=concern, actor=hr, note="The report is about my team.")

    concern.refresh_from_db()
    assert concern.handler == legal
    assert client_for(hr).get(f"/speakup/{concern.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        concern_declare_conflict(concern=concern, actor=hr, note="again")


def test_redaction_is_permanent_and_keeps_its_reason(org, hr):
    concern, _ = submit(org, description="Bob Miller signs the invoices; call 0170 123.")

    redact(concern=concern, actor=hr, where="description", text="0170 123",
           reason="A private phone number, not needed for the case.")

    concern.refresh_from_db()
    assert "0170 123" not in concern.description and "█ redacted" in concern.description
    assert concern.redactions.get().reason.startswith("A private phone")
    assert not any("0170 123" in str(e.data) for e in AuditEntry.objects.all())
    with pytest.raises(InvalidInput):
        redact(concern=concern, actor=hr, where="description", text="not there", reason="x")


def test_retention_erases_closed_concerns_and_logs_proof(org, hr, admin,
                                                        django_capture_on_commit_callbacks):
    retention_rule_save(organization=org, actor=admin, category="general", days=30)
    concern, _ = submit(org, files=[jpeg_with_exif()])
    keep, _ = submit(org)
    concern_close(concern=concern, actor=hr, note="Resolved.")
    concern_close(concern=keep, actor=hr, note="Resolved.")
    Concern.objects.filter(pk=concern.pk).update(closed_at=timezone.now() - timedelta(days=31))
    Concern.objects.filter(pk=keep.pk).update(closed_at=timezone.now() - timedelta(days=5))
    att = Attachment.objects.get()
    name, sha = att.file.name, att.sha256
    storage = att.file.storage

    with django_capture_on_commit_callbacks(execute=True):
        erased = concern_purge_expired()
    assert concern_purge_expired() == 0  # safe to repeat

    assert erased == 1
    assert not Concern.objects.filter(pk=concern.pk).exists()
    assert Concern.objects.filter(pk=keep.pk).exists()
    log = DeletionLog.objects.get()
    assert log.reference == concern.reference and log.erased["attachment_sha256"] == [sha]
    assert len(log.content_sha256) == 64
    assert not storage.exists(name)
    with pytest.raises(InvalidInput):
        retention_rule_save(organization=org, actor=admin, category="", days=5)


def test_closed_concern_takes_no_messages(org, hr):
    from chorus.speakup.services import concern_message_reporter

    concern, _ = submit(org)
    concern_close(concern=concern, actor=hr, note="Done.")
    with pytest.raises(Conflict):
        concern_message_reporter(concern=concern, body="hello")
