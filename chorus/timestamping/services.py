"""RFC 3161 timestamping of evidence, with `rfc3161-client` for the protocol.

Guarantees:
- A record's imprint is SHA-256 over `canonical_bytes(subject, record)`: the fields that make
  it evidence, as sorted JSON. Changing any of them afterwards makes verification fail.
- Requests are made by the worker (`timestamp_request_task`), never in the request that
  created the record: a TSA outage never blocks an attestation or a publication. Failures
  are retried with backoff by the periodic sweep, which also stamps anything not yet queued.
- Every answer is checked before it is stored (status granted, imprint and nonce match, and,
  when roots are configured, the signature chains to them).
- `timestamps_verify` works offline: the stored TimeStampResp, the configured roots and the
  record as it is now in the database.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from chorus.audit.verifiers import VerifyReport
from chorus.timestamping.models import Timestamp

logger = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 256 * 1024
BACKOFF_CAP = timedelta(hours=6)


class TimestampError(Exception):
    pass


# --------------------------------------------------------------------------- subjects


def _iso(value: datetime | None) -> str | None:
    from datetime import UTC

    return value.astimezone(UTC).isoformat() if value is not None else None


def canonical_bytes(subject: str, record: Any) -> bytes:
    """The bytes whose SHA-256 is timestamped for a record."""
    if subject == Timestamp.Subject.ATTESTATION:
        data = {
            "kind": "attestation", "id": record.pk, "organization": record.organization_id,
            "person": record.person_id, "version": record.version_id,
            "person_name": record.person_name, "person_email": record.person_email,
            "policy_title": record.policy_title, "version_number": record.version_number,
            "content_hash": record.content_hash, "text_sha256": record.text_sha256,
            "statement": record.statement, "channel": record.channel,
            "attested_at": _iso(record.attested_at),
        }
    elif subject == Timestamp.Subject.POLICY_VERSION:
        data = {
            "kind": "policy_version", "id": record.pk, "organization": record.organization_id,
            "policy": record.policy_id, "number": record.number,
            "content_hash": record.content_hash, "published_at": _iso(record.published_at),
        }
    else:
        raise TimestampError(gettext("unknown subject %(subject)s") % {"subject": repr(subject)})
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode("utf-8")


def _record(subject: str, subject_id: int) -> Any:
    if subject == Timestamp.Subject.ATTESTATION:
        if not apps.is_installed("chorus.onboarding"):
            return None
        return apps.get_model("onboarding", "Attestation").objects.filter(pk=subject_id).first()
    return apps.get_model("policy", "PolicyVersion").objects.filter(pk=subject_id).first()


def timestamp_queue(*, subject: str, record: Any) -> Timestamp | None:
    """Create the pending timestamp of a record (once) and enqueue its request after commit.
    Does nothing while no TSA is configured."""
    if not tsa_url():
        return None
    imprint = hashlib.sha256(canonical_bytes(subject, record)).hexdigest()
    try:
        with transaction.atomic():
            stamp, created = Timestamp.objects.get_or_create(
                subject=subject, subject_id=record.pk,
                defaults={"organization_id": record.organization_id, "imprint": imprint,
                          "tsa_url": tsa_url(), "next_attempt_at": timezone.now()})
    except IntegrityError:  # queued at the same moment by the sweep
        return Timestamp.objects.get(subject=subject, subject_id=record.pk)
    if created:
        from chorus.timestamping.tasks import timestamp_request_task

        transaction.on_commit(partial(timestamp_request_task.enqueue, timestamp_id=stamp.pk))
    return stamp


def on_policy_version_published(version: Any) -> None:
    """Publish hook: timestamp the version as published."""
    timestamp_queue(subject=Timestamp.Subject.POLICY_VERSION, record=version)


# --------------------------------------------------------------------------- protocol


def tsa_url() -> str:
    return str(getattr(settings, "TIMESTAMP_TSA_URL", "") or "")


def _roots() -> list[Any]:
    from cryptography import x509

    path = str(getattr(settings, "TIMESTAMP_TSA_ROOTS_FILE", "") or "")
    if not path:
        return []
    return list(x509.load_pem_x509_certificates(Path(path).read_bytes()))


def _verifier(roots: list[Any], nonce: int | None = None) -> Any:
    from rfc3161_client import VerifierBuilder

    builder = VerifierBuilder()
    for root in roots:
        builder = builder.add_root_certificate(root)
    if nonce is not None:
        builder = builder.nonce(nonce)
    return builder.build()


def request_token(*, url: str, data: bytes) -> bytes:
    """Ask the TSA at `url` to timestamp SHA-256(`data`); returns the checked DER response."""
    from rfc3161_client import (
        HashAlgorithm,
        PKIStatus,
        TimestampRequestBuilder,
        decode_timestamp_response,
    )

    from chorus.common.http import OutboundError, OutboundSession

    request = (TimestampRequestBuilder().data(data).hash_algorithm(HashAlgorithm.SHA256)
               .nonce(nonce=True).cert_request(cert_request=True).build())
    try:
        with OutboundSession(max_bytes=MAX_RESPONSE_BYTES, deadline=30) as session:
            response = session.post(url, data=request.as_bytes(),
                                    headers={"Content-Type": "application/timestamp-query",
                                             "Accept": "application/timestamp-reply"})
    except OutboundError as exc:
        raise TimestampError(gettext("TSA unreachable: %(exc)s") % {"exc": exc}) from exc
    if response.status_code != 200:
        raise TimestampError(
            gettext("TSA answered HTTP %(status_code)s") % {"status_code": response.status_code}
        )
    try:
        answer = decode_timestamp_response(response.content)
    except Exception as exc:  # the library raises ValueError for garbage
        raise TimestampError(gettext("TSA answer is not a TimeStampResp")) from exc
    if answer.status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise TimestampError(
            gettext("TSA refused the request (status %(status)s)") % {"status": answer.status}
        )
    info = answer.tst_info
    if info.message_imprint.message != hashlib.sha256(data).digest():
        raise TimestampError(gettext("TSA answer covers a different imprint"))
    if info.nonce != request.nonce:
        raise TimestampError(gettext("TSA answer has the wrong nonce"))
    roots = _roots()
    if roots:
        try:
            _verifier(roots, nonce=request.nonce).verify_message(answer, data)
        except Exception as exc:
            raise TimestampError(
                gettext("TSA signature does not verify: %(exc)s") % {"exc": exc}
            ) from exc
    return bytes(response.content)


def timestamp_request(*, timestamp_id: int) -> Timestamp:
    """Request one pending timestamp (the task). Safe to repeat; failures schedule a retry."""
    stamp = Timestamp.objects.get(pk=timestamp_id)
    if stamp.status == Timestamp.Status.STAMPED:
        return stamp
    record = _record(stamp.subject, stamp.subject_id)
    if record is None:
        Timestamp.objects.filter(pk=stamp.pk).update(
            status=Timestamp.Status.FAILED, last_error="The record no longer exists.")
        return stamp
    data = canonical_bytes(stamp.subject, record)
    url = stamp.tsa_url or tsa_url()
    try:
        raw = request_token(url=url, data=data)
    except TimestampError as exc:
        attempts = stamp.attempts + 1
        delay = min(BACKOFF_CAP, timedelta(minutes=2 ** min(attempts, 10)))
        Timestamp.objects.filter(pk=stamp.pk).update(
            attempts=attempts, last_error=str(exc)[:500],
            next_attempt_at=timezone.now() + delay)
        logger.warning("timestamp %s attempt %s failed: %s", stamp.pk, attempts, exc)
        stamp.refresh_from_db()
        return stamp
    from rfc3161_client import decode_timestamp_response

    info = decode_timestamp_response(raw).tst_info
    Timestamp.objects.filter(pk=stamp.pk).update(
        status=Timestamp.Status.STAMPED, response=raw, gen_time=info.gen_time,
        serial=str(info.serial_number)[:64], attempts=stamp.attempts + 1, last_error="",
        imprint=hashlib.sha256(data).hexdigest(), tsa_url=url, next_attempt_at=None)
    stamp.refresh_from_db()
    return stamp


def timestamps_sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Queue records that have no timestamp yet and retry due pending ones. Returns how many
    requests it enqueued."""
    from chorus.timestamping.tasks import timestamp_request_task

    if not tsa_url():
        return 0
    now = now or timezone.now()
    queued = 0
    if apps.is_installed("chorus.onboarding"):
        attestation = apps.get_model("onboarding", "Attestation")
        done = Timestamp.objects.filter(subject=Timestamp.Subject.ATTESTATION).values(
            "subject_id")
        for record in attestation.objects.exclude(pk__in=done).order_by("pk")[:limit]:
            if timestamp_queue(subject=Timestamp.Subject.ATTESTATION, record=record):
                queued += 1
    version = apps.get_model("policy", "PolicyVersion")
    done = Timestamp.objects.filter(subject=Timestamp.Subject.POLICY_VERSION).values(
        "subject_id")
    for published in (version.objects.exclude(status="draft").exclude(pk__in=done)
                      .order_by("pk")[:limit]):
        if timestamp_queue(subject=Timestamp.Subject.POLICY_VERSION, record=published):
            queued += 1
    for stamp_id in (Timestamp.objects.filter(status=Timestamp.Status.PENDING,
                                              next_attempt_at__lte=now, attempts__gt=0)
                     .values_list("pk", flat=True)[:limit]):
        timestamp_request_task.enqueue(timestamp_id=stamp_id)
        queued += 1
    return queued


# --------------------------------------------------------------------------- verification


def timestamp_verify(stamp: Timestamp, *, roots: list[Any]) -> str:
    """'' when the stored token proves the record as it is now; else what is wrong."""
    from rfc3161_client import decode_timestamp_response

    record = _record(stamp.subject, stamp.subject_id)
    if record is None:
        return "the record is missing"
    data = canonical_bytes(stamp.subject, record)
    if hashlib.sha256(data).hexdigest() != stamp.imprint:
        return "the record changed after it was timestamped"
    if stamp.subject == Timestamp.Subject.POLICY_VERSION and not record.hash_matches():
        return "the policy document no longer matches its content hash"
    try:
        answer = decode_timestamp_response(bytes(stamp.response))
        _verifier(roots).verify_message(answer, data)
    except Exception as exc:
        return f"the token does not verify ({exc})"
    return ""


def timestamps_verify(organization_id: int | None) -> VerifyReport:
    """Check every stored token offline against the configured roots (`chorus audit verify`)."""
    report = VerifyReport()
    stamps = Timestamp.objects.filter(status=Timestamp.Status.STAMPED)
    pending = Timestamp.objects.filter(status=Timestamp.Status.PENDING)
    if organization_id is not None:
        stamps = stamps.filter(organization_id=organization_id)
        pending = pending.filter(organization_id=organization_id)
    if not stamps.exists():
        if pending.exists():
            report.notes.append(f"{pending.count()} waiting for the TSA.")
        return report
    roots = _roots()
    if not roots:
        report.problems.append("TIMESTAMP_TSA_ROOTS_FILE is not set, so tokens cannot be "
                               "checked; point it at the TSA's root certificate (PEM).")
        return report
    for stamp in stamps.iterator():
        problem = timestamp_verify(stamp, roots=roots)
        report.checked += 1
        if problem:
            report.problems.append(f"{stamp.get_subject_display()} {stamp.subject_id}: {problem}")
    if pending.exists():
        report.notes.append(f"{pending.count()} waiting for the TSA.")
    return report


def timestamp_for(*, subject: str, subject_id: int) -> Timestamp | None:
    return Timestamp.objects.filter(subject=subject, subject_id=subject_id).first()
