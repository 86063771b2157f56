"""Building legal export bundles (eDiscovery) for counsel.

A bundle is a .zip streamed to disk member by member (files are copied in 1 MB chunks and
hashed as they are written; the load file and audit excerpt are spooled to temporary files),
so memory stays flat however large the case. Contents:

    NATIVES/DOC000001.txt ...   each document in its native form (evidence files as stored,
                                case records and speak-up reports as UTF-8 text)
    DATA/loadfile.dat           Concordance DAT load file (þ-qualified, DC4-separated, UTF-8)
    DATA/images.opt             Opticon image list for the image natives
    AUDIT/audit_chain.jsonl     every audit entry about the exported objects, with its hashes
    manifest.json               SHA-256 and size of every other file

`chorus export verify BUNDLE` (chorus.legalexport.verify) checks all of it offline. A sealed
speak-up identity is never exported.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from chorus.audit.models import AuditEntry
from chorus.audit.services import audit_record
from chorus.common.errors import InvalidInput, NotFound, PermissionDenied
from chorus.legalexport.models import ExportJob
from chorus.legalexport.verify import (
    AUDIT,
    DAT_NEWLINE,
    DAT_QUOTE,
    DAT_SEP,
    FORMAT,
    LOADFILE,
    MANIFEST,
    OPT,
)
from chorus.people.models import Organization, User

DAT_FIELDS = ["BEGDOC", "ENDDOC", "PARENTDOC", "DOCTYPE", "TITLE", "CUSTODIAN", "DATE",
              "SOURCE", "NATIVEPATH", "FILENAME", "MIMETYPE", "FILESIZE", "SHA256"]
CHUNK = 1024 * 1024
PROGRESS_EVERY = 25
IMAGE_MIMES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


def can_export(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)
                and (user.has_role("legal") or user.has_role("admin")))


def export_dir() -> Path:
    path = Path(getattr(settings, "LEGAL_EXPORT_ROOT", "") or Path(settings.MEDIA_ROOT) / "exports")
    path.mkdir(parents=True, exist_ok=True)
    return path


@transaction.atomic
def export_request(*, organization: Organization, actor: User, scope: str,
                   incident_id: int | None = None, since: date | None = None,
                   until: date | None = None) -> ExportJob:
    """Queue a bundle; the worker builds it (progress on the export page)."""
    if not can_export(actor) or actor.organization_id != organization.pk:
        raise PermissionDenied(gettext("Only legal or an administrator can export for counsel."))
    if scope not in ExportJob.Scope.values:
        raise InvalidInput(gettext("Choose what to export."), field="scope")
    if scope == ExportJob.Scope.INCIDENT and (
            not incident_id
            or not _incidents().filter(organization=organization, pk=incident_id).exists()):
            raise InvalidInput(gettext("No case with that number in your organization "
                               "(e.g. 12 for INC-12)."), field="incident_id")
    if scope == ExportJob.Scope.DATE_RANGE:
        if since is None or until is None:
            raise InvalidInput(gettext("Give both the first and the last day."), field="since")
        if since > until:
            raise InvalidInput(gettext("The first day is after the last day."), field="since")
    job = ExportJob.objects.create(organization=organization, requested_by=actor, scope=scope,
                                   incident_id=incident_id if scope == "incident" else None,
                                   since=since if scope == "date_range" else None,
                                   until=until if scope == "date_range" else None)
    audit_record(organization=organization, actor=actor, action="legalexport.requested",
                 target=job, data={"scope": scope, "incident": job.incident_id,
                                   "since": str(since or ""), "until": str(until or "")})
    transaction.on_commit(partial(_enqueue, job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from chorus.legalexport.tasks import legal_export_build_task

    legal_export_build_task.enqueue(job_id=job_id)


def _incidents() -> Any:
    return apps.get_model("incidents", "Incident").objects


# ---------------------------------------------------------------------------- documents

@dataclass
class Doc:
    """One document to export: a text to write, or a stored file to copy."""

    doctype: str
    title: str
    custodian: str
    date: str
    source: str
    parent: str = ""
    text: str | None = None
    file: Any = None  # a FieldFile
    mime: str = "text/plain"
    sha256: str = ""  # the stored hash of a file, checked while copying
    audit_target: tuple[str, str] | None = None


def _incident_text(incident: Any) -> str:
    lines = [f"{incident.reference}: {incident.title}",
             f"Status: {incident.get_status_display()}",
             f"Source: {incident.get_source_display()} {incident.source_ref}",
             f"Concerns: {incident.subject or '—'}",
             f"Opened: {incident.opened_at.isoformat()}", "", "Summary:", incident.summary or "—"]
    if incident.outcome:
        lines += ["", f"Decision: {incident.get_outcome_display()} by {incident.decided_by} on "
                      f"{incident.decided_at.isoformat() if incident.decided_at else ''}",
                  f"Matrix suggestion: {incident.get_suggested_response_display()}",
                  f"Justification: {incident.justification or '—'}"]
    if incident.employee_response:
        lines += ["", "Employee's response:", incident.employee_response]
    for appeal in incident.appeals.all():
        lines += ["", f"Appeal ({appeal.get_status_display()}): {appeal.grounds}",
                  f"Reviewer: {appeal.reviewer or '—'}; reasons: {appeal.reasons or '—'}"]
    lines += ["", "Timeline:"]
    for e in incident.events.all():
        lines.append(f"{e.created_at.isoformat()}  {e.actor or 'system'}  {e.summary}"
                     + (f" — {e.note}" if e.note else ""))
    return "\n".join(lines) + "\n"


def _incident_docs(incident: Any) -> Iterator[Doc]:
    custodian = str(incident.subject or "")
    yield Doc("case", f"{incident.reference}: {incident.title}", custodian,
              incident.opened_at.date().isoformat(), "incidents", text=_incident_text(incident),
              audit_target=("incidents.incident", str(incident.pk)))
    for ev in incident.evidence.all():
        title = f"{incident.reference} evidence #{ev.pk}: {ev.get_kind_display()}"
        if ev.file and ev.file.name:
            yield Doc("evidence", title, custodian, ev.created_at.date().isoformat(),
                      "incidents", parent=incident.reference, file=ev.file,
                      mime=ev.content_type or "application/octet-stream", sha256=ev.sha256)
        else:
            body = ev.text or ev.url or ("(purged after retention; SHA-256 " + ev.sha256 + ")")
            yield Doc("evidence", title, custodian, ev.created_at.date().isoformat(),
                      "incidents", parent=incident.reference,
                      text=f"{title}\nURL: {ev.url}\nNetwork: {ev.network}\n"
                           f"Recorded SHA-256: {ev.sha256}\n\n{body}\n")


def _concern_docs(concern: Any) -> Iterator[Doc]:
    lines = [f"{concern.reference}: {concern.category_label}",
             f"Status: {concern.get_status_display()}",
             f"Jurisdiction: {concern.jurisdiction}",
             f"Received (day): {concern.received_at.date().isoformat()}",
             f"Acknowledgment due {concern.ack_due_at.date()} / given "
             f"{concern.acknowledged_at.date() if concern.acknowledged_at else '—'}",
             f"Feedback due {concern.feedback_due_at.date()} / given "
             f"{concern.feedback_at.date() if concern.feedback_at else '—'}",
             "Reporter identity: " + ("sealed (not exported)" if concern.identity
                                      else "anonymous"),
             "", "Report:", concern.description]
    for q in concern.form_version.questions:
        if q["key"] in concern.answers:
            lines.append(f"{q['label']}: {concern.answers[q['key']]}")
    lines += ["", "Conversation:"]
    for m in concern.messages.all():
        when = m.created_at.date().isoformat()
        who = "Reporter" if m.author_kind == "reporter" else (m.author or "Chorus")
        lines.append(f"[{when}] {who}: {m.body}")
    for r in concern.redactions.all():
        lines.append(f"Redaction ({r.where}, {r.removed_chars} chars, {r.created_at.date()}): "
                     f"{r.reason}")
    yield Doc("speakup", f"{concern.reference}: {concern.category_label}", "",
              concern.received_at.date().isoformat(), "speakup", text="\n".join(lines) + "\n",
              audit_target=("speakup.concern", str(concern.pk)))
    for m in concern.messages.all():
        for a in m.attachments.all():
            yield Doc("attachment", f"{concern.reference} {a.display_name}", "",
                      a.created_at.date().isoformat(), "speakup", parent=concern.reference,
                      file=a.file, mime=a.mime, sha256=a.sha256)


def _querysets(job: ExportJob) -> tuple[Any, Any]:
    """The incidents and speak-up concerns in the job's scope (lazy querysets)."""
    incidents = concerns = None
    linked: list[int] = []
    if apps.is_installed("chorus.incidents"):
        incidents = _incidents().filter(organization_id=job.organization_id)
        if job.scope == ExportJob.Scope.INCIDENT:
            incidents = incidents.filter(pk=job.incident_id)
        elif job.scope == ExportJob.Scope.LEGAL_HOLD:
            incidents = incidents.filter(legal_hold=True)
        else:
            incidents = incidents.filter(opened_at__date__gte=job.since,
                                         opened_at__date__lte=job.until)
        linked = [int(r) for r in incidents.filter(source="speakup")
                  .values_list("source_ref", flat=True) if str(r).isdigit()]
    if apps.is_installed("chorus.speakup"):
        concerns = apps.get_model("speakup", "Concern").objects.filter(
            organization_id=job.organization_id)
        if job.scope == ExportJob.Scope.DATE_RANGE:
            concerns = concerns.filter(received_at__date__gte=job.since,
                                       received_at__date__lte=job.until)
        else:
            concerns = concerns.filter(pk__in=linked)
    return incidents, concerns


BATCH = 50  # rows loaded (with their evidence and history) at a time: memory stays flat


def _count(incidents: Any, concerns: Any) -> int:
    total = 0
    if incidents is not None:
        total += incidents.count() + apps.get_model("incidents", "Evidence").objects.filter(
            incident__in=incidents).count()
    if concerns is not None:
        total += concerns.count() + apps.get_model("speakup", "Attachment").objects.filter(
            message__concern__in=concerns).count()
    return total


def _documents(incidents: Any, concerns: Any) -> Iterator[Doc]:
    if incidents is not None:
        ids = list(incidents.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            batch = (_incidents().filter(pk__in=ids[start:start + BATCH]).order_by("pk")
                     .select_related("subject", "decided_by")
                     .prefetch_related("evidence", "events__actor", "appeals__reviewer"))
            for incident in batch:
                yield from _incident_docs(incident)
    if concerns is not None:
        Concern = apps.get_model("speakup", "Concern")
        ids = list(concerns.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            batch = (Concern.objects.filter(pk__in=ids[start:start + BATCH]).order_by("pk")
                     .select_related("form_version")
                     .prefetch_related("messages__attachments", "messages__author",
                                       "redactions"))
            for concern in batch:
                yield from _concern_docs(concern)


# ---------------------------------------------------------------------------- writing

class _HashingWriter:
    def __init__(self, target: IO[bytes]) -> None:
        self.target, self.digest, self.size = target, hashlib.sha256(), 0

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        self.target.write(data)


def _dat_cell(value: Any) -> str:
    text = str(value if value is not None else "")
    for ch in ("\r\n", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028",
               "\u2029"):
        text = text.replace(ch, DAT_NEWLINE)
    return DAT_QUOTE + text.replace(DAT_SEP, " ").replace(DAT_QUOTE, "") + DAT_QUOTE


def _dat_line(values: Iterable[Any]) -> bytes:
    return (DAT_SEP.join(_dat_cell(v) for v in values) + "\r\n").encode("utf-8")


def _audit_entries(org_id: int, targets: set[tuple[str, str]]) -> Iterator[AuditEntry]:
    by_type: dict[str, list[str]] = {}
    for kind, pk in targets:
        by_type.setdefault(kind, []).append(pk)
    seen: set[int] = set()
    for kind, ids in sorted(by_type.items()):
        for start in range(0, len(ids), 500):
            rows = AuditEntry.objects.filter(organization_id=org_id, target_type=kind,
                                             target_id__in=ids[start:start + 500])
            for entry in rows.order_by("seq").iterator():
                if entry.pk not in seen:
                    seen.add(entry.pk)
                    yield entry


def _audit_json(entry: AuditEntry) -> dict[str, Any]:
    return {"organization": entry.organization_id, "seq": entry.seq,
            "created_at": entry.created_at.isoformat(), "actor_id": entry.actor_id,
            "actor_label": entry.actor_label, "action": entry.action,
            "target_type": entry.target_type, "target_id": entry.target_id,
            "target_label": entry.target_label, "data": entry.data,
            "prev_hash": entry.prev_hash, "entry_hash": entry.entry_hash}


def _progress(job: ExportJob, done: int) -> None:
    ExportJob.objects.filter(pk=job.pk).update(progress_done=done, updated_at=timezone.now())


def export_build(*, job_id: int) -> ExportJob:
    """Build the bundle of a queued job. Safe to repeat: a finished job is returned as is; a
    job whose worker died is rebuilt from the start into a fresh file."""
    job = ExportJob.objects.select_related("organization").get(pk=job_id)
    if job.status == ExportJob.Status.DONE:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING,
                                               started_at=timezone.now(), error="",
                                               progress_done=0)
    final = export_dir() / f"{job.organization_id}-{job.pk}-{uuid.uuid4().hex[:8]}.zip"
    partial_path = final.with_suffix(".part")
    try:
        incidents, concerns = _querysets(job)
        ExportJob.objects.filter(pk=job.pk).update(progress_total=_count(incidents, concerns))
        manifest_files, written = _write_bundle(job, partial_path,
                                                _documents(incidents, concerns))
        os.replace(partial_path, final)
    except Exception as exc:
        partial_path.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED,
                                                   error=str(exc)[:2000],
                                                   finished_at=timezone.now())
        raise
    digest = hashlib.sha256()
    with final.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job.pk)
        job.status, job.path, job.size = ExportJob.Status.DONE, final.name, final.stat().st_size
        job.documents, job.bundle_sha256 = written, digest.hexdigest()
        job.manifest_sha256, job.finished_at = manifest_files, timezone.now()
        job.progress_done = job.progress_total
        job.save()
        audit_record(organization=job.organization, actor=None, action="legalexport.built",
                     target=job, data={"documents": written, "size": job.size,
                                       "bundle_sha256": job.bundle_sha256,
                                       "manifest_sha256": job.manifest_sha256})
    return job


def _write_bundle(job: ExportJob, path: Path, docs: Iterable[Doc]) -> tuple[str, int]:
    files: list[dict[str, Any]] = []
    targets: set[tuple[str, str]] = {("legalexport.exportjob", str(job.pk))}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf, \
            tempfile.TemporaryFile() as dat, tempfile.TemporaryFile() as opt:
        dat.write("\ufeff".encode() + _dat_line(DAT_FIELDS))
        n = 0
        for n, doc in enumerate(docs, 1):
            control = f"DOC{n:06d}"
            if doc.text is not None:
                ext, mime = "txt", "text/plain"
            else:
                mime = doc.mime
                ext = IMAGE_MIMES.get(mime) or {"application/pdf": "pdf"}.get(mime, "bin")
            name = f"NATIVES/{control}.{ext}"
            with zf.open(name, "w", force_zip64=True) as member:
                writer = _HashingWriter(member)
                if doc.text is not None:
                    writer.write(doc.text.encode("utf-8"))
                else:
                    with doc.file.open("rb") as src:
                        while chunk := src.read(CHUNK):
                            writer.write(chunk)
            sha = writer.digest.hexdigest()
            if doc.sha256 and doc.sha256 != sha:
                raise RuntimeError(f"{doc.title}: the stored file no longer matches the SHA-256 "
                                   "recorded when it was added; export stopped.")
            files.append({"path": name, "sha256": sha, "size": writer.size,
                          "document": control})
            dat.write(_dat_line([control, control, doc.parent, doc.doctype, doc.title,
                                 doc.custodian, doc.date, doc.source, name.replace("/", "\\"),
                                 f"{control}.{ext}", mime, writer.size, sha]))
            if mime in IMAGE_MIMES:
                opt.write(f"{control},CHORUS001,{name.replace('/', chr(92))},Y,,,1\r\n"
                          .encode())
            if doc.audit_target:
                targets.add(doc.audit_target)
            if n % PROGRESS_EVERY == 0:
                _progress(job, n)
        for member_name, spool in ((LOADFILE, dat), (OPT, opt)):
            spool.seek(0)
            with zf.open(member_name, "w", force_zip64=True) as member:
                writer = _HashingWriter(member)
                while chunk := spool.read(CHUNK):
                    writer.write(chunk)
            files.append({"path": member_name, "sha256": writer.digest.hexdigest(),
                          "size": writer.size})
        with zf.open(AUDIT, "w", force_zip64=True) as member:
            writer = _HashingWriter(member)
            count = 0
            for entry in _audit_entries(job.organization_id, targets):
                writer.write((json.dumps(_audit_json(entry), sort_keys=True) + "\n").encode())
                count += 1
        files.append({"path": AUDIT, "sha256": writer.digest.hexdigest(), "size": writer.size})
        manifest = json.dumps({
            "format": FORMAT, "created_at": timezone.now().isoformat(),
            "organization": job.organization.name, "export": job.pk,
            "scope": job.describe_scope, "documents": n, "audit_entries": count,
            "load_file": {"format": "Concordance DAT", "path": LOADFILE, "fields": DAT_FIELDS,
                          "separator": "U+0014", "qualifier": "U+00FE", "newline": "U+00AE"},
            "image_list": {"format": "Opticon OPT", "path": OPT},
            "files": files,
        }, indent=2, sort_keys=True).encode()
        zf.writestr(MANIFEST, manifest)
    return hashlib.sha256(manifest).hexdigest(), n


def export_get_for(*, user: Any, job_id: int) -> ExportJob:
    if not can_export(user) or not user.organization_id:
        raise NotFound(gettext("No such export."))
    job = ExportJob.objects.filter(pk=job_id, organization_id=user.organization_id).first()
    if job is None:
        raise NotFound(gettext("No such export."))
    return job


def export_file_path(job: ExportJob) -> Path:
    return export_dir() / job.path


@transaction.atomic
def export_record_download(*, job: ExportJob, actor: User) -> None:
    audit_record(organization=job.organization, actor=actor, action="legalexport.downloaded",
                 target=job, data={"bundle_sha256": job.bundle_sha256})


def copy_to(job: ExportJob, dest: Path) -> None:  # used by tests and the CLI
    shutil.copyfile(export_file_path(job), dest)
