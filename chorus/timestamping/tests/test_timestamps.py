"""Issue 21: RFC 3161 timestamps from a real local TSA (openssl ts -reply over HTTP)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from chorus.onboarding.services import attestation_create
from chorus.onboarding.tests.conftest import make_campaign, publish_version
from chorus.policy.models import PolicyVersion
from chorus.timestamping import services
from chorus.timestamping.models import Timestamp
from chorus.timestamping.testing import start_local_tsa

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def tsa(tmp_path_factory):
    server = start_local_tsa(tmp_path_factory.mktemp("tsa"))
    yield server
    server.stop()


@pytest.fixture
def tsa_settings(settings, outbound_to_loopback, tsa):
    tsa.down = False
    settings.TIMESTAMP_TSA_URL = tsa.url
    settings.TIMESTAMP_TSA_ROOTS_FILE = tsa.roots_file
    return settings


def _publish(comms, capture):
    with capture(execute=True):
        return publish_version(author=comms)


def _attest(hr, version, person):
    assignment = make_campaign(hr=hr, version=version).assignments.get(person=person)
    return attestation_create(assignment=assignment, channel="session",
                              content_hash=version.content_hash, confirmed=True,
                              read_stated=True)


def _verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_a_published_version_is_timestamped_and_verifies_offline(
    tsa_settings, tsa, comms, django_capture_on_commit_callbacks
):
    before = len(tsa.requests)
    version = _publish(comms, django_capture_on_commit_callbacks)
    stamp = Timestamp.objects.get(subject="policy_version", subject_id=version.pk)
    assert stamp.status == Timestamp.Status.STAMPED and stamp.gen_time is not None
    assert len(tsa.requests) == before + 1
    assert "RFC 3161 timestamps: 1 verified." in _verify()

    # Offline: the TSA going away changes nothing for verification.
    tsa.down = True
    assert "1 verified" in _verify()


def test_a_tampered_policy_version_fails_verification(
    tsa_settings, comms, django_capture_on_commit_callbacks
):
    version = _publish(comms, django_capture_on_commit_callbacks)
    PolicyVersion.objects.filter(pk=version.pk).update(number=99)
    with pytest.raises(CommandError) as err:
        _verify()
    assert "changed after it was timestamped" in str(err.value)


def test_an_attestation_is_timestamped_by_the_sweep_and_tampering_is_found(
    tsa_settings, comms, hr, employee, django_capture_on_commit_callbacks
):
    version = _publish(comms, django_capture_on_commit_callbacks)
    attestation = _attest(hr, version, employee.person)
    with django_capture_on_commit_callbacks(execute=True):
        services.timestamps_sweep()
    stamp = Timestamp.objects.get(subject="attestation", subject_id=attestation.pk)
    assert stamp.status == Timestamp.Status.STAMPED
    assert "2 verified" in _verify()
    # Attestations are append-only in the application; a direct database edit is exactly
    # what the timestamp exists to reveal.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE onboarding_attestation SET statement = %s WHERE id = %s",
                       ["I never read it", attestation.pk])
    with pytest.raises(CommandError) as err:
        _verify()
    assert f"Attestation {attestation.pk}: the record changed" in str(err.value)


def test_a_tsa_outage_does_not_block_attestation_and_is_retried(
    tsa_settings, tsa, comms, hr, employee, django_capture_on_commit_callbacks
):
    tsa.down = True
    version = _publish(comms, django_capture_on_commit_callbacks)
    attestation = _attest(hr, version, employee.person)  # recorded although the TSA is down
    with django_capture_on_commit_callbacks(execute=True):
        services.timestamps_sweep()
    stamp = Timestamp.objects.get(subject="attestation", subject_id=attestation.pk)
    assert stamp.status == Timestamp.Status.PENDING and stamp.attempts == 1
    assert "HTTP 503" in stamp.last_error
    assert "waiting for the TSA" in _verify()

    tsa.down = False
    Timestamp.objects.update(next_attempt_at=stamp.created_at)  # the backoff has passed
    with django_capture_on_commit_callbacks(execute=True):
        services.timestamps_sweep()
    stamp.refresh_from_db()
    assert stamp.status == Timestamp.Status.STAMPED and stamp.attempts == 2


def test_an_answer_signed_by_an_unknown_tsa_is_refused(tsa_settings, tmp_path, tsa):
    other = start_local_tsa(tmp_path)
    try:
        with pytest.raises(services.TimestampError, match="does not verify"):
            services.request_token(url=other.url, data=b"evidence")
    finally:
        other.stop()
    assert services.request_token(url=tsa.url, data=b"evidence")


def test_a_garbage_answer_is_a_clear_error(tsa_settings):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Junk(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"not asn.1")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Junk)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(services.TimestampError, match="not a TimeStampResp"):
            services.request_token(url=f"http://127.0.0.1:{server.server_address[1]}/",
                                   data=b"x")
    finally:
        server.shutdown()
        server.server_close()


def test_nothing_is_sent_while_no_tsa_is_configured(settings, comms,
                                                    django_capture_on_commit_callbacks):
    settings.TIMESTAMP_TSA_URL = ""
    _publish(comms, django_capture_on_commit_callbacks)
    assert not Timestamp.objects.exists()


def test_the_version_page_shows_the_timestamp(tsa_settings, client_for, comms,
                                              django_capture_on_commit_callbacks):
    from django.urls import reverse

    version = _publish(comms, django_capture_on_commit_callbacks)
    page = client_for(comms).get(reverse("policy:version-detail", args=[version.pk]))
    assert "RFC 3161 timestamp from" in page.content.decode()
