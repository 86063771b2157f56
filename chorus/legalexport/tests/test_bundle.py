"""Legal export bundles: built in the worker, verified offline, and a tampered bundle fails."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from chorus.common.errors import InvalidInput, PermissionDenied
from chorus.incidents import services as IS
from chorus.legalexport.models import ExportJob
from chorus.legalexport.services import export_file_path, export_request
from chorus.legalexport.verify import parse_dat, verify_bundle
from chorus.speakup.tests.conftest import jpeg_with_exif, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.LEGAL_EXPORT_ROOT = str(tmp_path / "exports")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _case(org, hr, employee):
    from chorus.speakup.services import concern_open_incident

    concern, _ = submit(org, files=[jpeg_with_exif()], identity="Jane Reporter, sealed")
    incident = concern_open_incident(concern=concern, actor=hr, subject=employee.person)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from chorus.speakup.tests.conftest import png_bytes

    IS.evidence_add(incident=incident, actor=hr, text="The post text",
                    url="https://social.example/p/9", network="mastodon", note="capture",
                    screenshot=SimpleUploadedFile("s.png", png_bytes(), content_type="image/png"))
    return concern, incident


def _build(org, legal, django_capture_on_commit_callbacks, **kw) -> ExportJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = export_request(organization=org, actor=legal, **kw)
    job.refresh_from_db()
    return job


def test_a_case_bundle_verifies_offline_and_holds_natives_load_file_and_audit(
        org, hr, legal, employee, django_capture_on_commit_callbacks, tmp_path, capsys):
    _concern, incident = _case(org, hr, employee)

    job = _build(org, legal, django_capture_on_commit_callbacks, scope="incident",
                 incident_id=incident.pk)

    assert job.status == ExportJob.Status.DONE and job.percent == 100
    path = export_file_path(job)
    report = verify_bundle(path)
    assert report.ok, report.errors
    assert report.manifest_sha256 == job.manifest_sha256
    assert report.documents == job.documents >= 3  # case, speak-up report, its attachment
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        rows = list(parse_dat(zf.read("DATA/loadfile.dat").decode("utf-8")))
        opt = zf.read("DATA/images.opt").decode()
        audit = [json.loads(x) for x in zf.read("AUDIT/audit_chain.jsonl").splitlines()]
        everything = b"".join(zf.read(n) for n in names)
    assert {"manifest.json", "DATA/loadfile.dat", "DATA/images.opt"} <= set(names)
    assert {r["DOCTYPE"] for r in rows} >= {"case", "speakup", "attachment"}
    assert ",CHORUS001,NATIVES\\" in opt and opt.strip().endswith(",Y,,,1")
    assert any(e["action"] == "incident.opened" for e in audit)
    assert b"Jane Reporter" not in everything  # the sealed identity never leaves
    call_command("export", "verify", str(path))
    assert "Bundle verified" in capsys.readouterr().out


def test_a_tampered_bundle_fails_verification(org, hr, legal, employee,
                                              django_capture_on_commit_callbacks, tmp_path):
    _, incident = _case(org, hr, employee)
    job = _build(org, legal, django_capture_on_commit_callbacks, scope="incident",
                 incident_id=incident.pk)
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(export_file_path(job)) as zf:
        zf.extractall(folder)
    assert verify_bundle(folder).ok

    native = sorted((folder / "NATIVES").glob("*.txt"))[0]
    native.write_text(native.read_text() + "\nDecision: no action\n")
    report = verify_bundle(folder)
    assert not report.ok and "was changed" in report.errors[0]
    with pytest.raises(CommandError):
        call_command("export", "verify", str(folder))

    # An edited audit entry is caught even with a regenerated manifest entry for its file.
    fresh = tmp_path / "fresh"
    with zipfile.ZipFile(export_file_path(job)) as zf:
        zf.extractall(fresh)
    audit = fresh / "AUDIT" / "audit_chain.jsonl"
    lines = audit.read_text().splitlines()
    entry = json.loads(lines[0])
    entry["actor_label"] = "someone else"
    lines[0] = json.dumps(entry, sort_keys=True)
    audit.write_text("\n".join(lines) + "\n")
    manifest = json.loads((fresh / "manifest.json").read_text())
    import hashlib

    for f in manifest["files"]:
        if f["path"] == "AUDIT/audit_chain.jsonl":
            f["sha256"] = hashlib.sha256(audit.read_bytes()).hexdigest()
            f["size"] = audit.stat().st_size
    (fresh / "manifest.json").write_text(json.dumps(manifest))
    report = verify_bundle(fresh)
    assert not report.ok and any("does not match its hash" in e for e in report.errors)
    assert report.manifest_sha256 != job.manifest_sha256  # and the manifest is not Chorus's

    (folder / "extra.txt").write_text("planted")
    assert any("not in the manifest" in e for e in verify_bundle(folder).errors)


def test_legal_hold_and_date_range_scopes(org, hr, legal, employee,
                                          django_capture_on_commit_callbacks):
    _concern, incident = _case(org, hr, employee)
    IS.incident_set_legal_hold(incident=incident, actor=legal, hold=True, reason="Matter 42")
    hold = _build(org, legal, django_capture_on_commit_callbacks, scope="legal_hold")
    today = timezone.localdate()
    dated = _build(org, legal, django_capture_on_commit_callbacks, scope="date_range",
                   since=today - timedelta(days=1), until=today)
    assert hold.documents >= 1 and verify_bundle(export_file_path(hold)).ok
    assert dated.documents >= 2 and verify_bundle(export_file_path(dated)).ok


def test_bad_export_requests_are_clear_errors(org, legal, hr, other_org, outsider):
    with pytest.raises(InvalidInput) as exc:
        export_request(organization=org, actor=legal, scope="incident", incident_id=999999)
    assert exc.value.field == "incident_id"
    with pytest.raises(InvalidInput):
        today = timezone.localdate()
        export_request(organization=org, actor=legal, scope="date_range", since=today,
                       until=today - timedelta(days=3))
    with pytest.raises(PermissionDenied):
        export_request(organization=org, actor=hr, scope="legal_hold")


def test_export_pages_are_org_scoped_and_downloads_audited(
        org, legal, outsider, client_for, django_capture_on_commit_callbacks):
    job = _build(org, legal, django_capture_on_commit_callbacks, scope="legal_hold")
    client = client_for(outsider)
    assert client.get(f"/legal-export/{job.pk}/").status_code == 404
    assert client.get(f"/legal-export/{job.pk}/bundle.zip").status_code == 404
    client = client_for(legal)
    page = client.get(f"/legal-export/{job.pk}/").content.decode()
    assert job.manifest_sha256 in page
    response = client.get(f"/legal-export/{job.pk}/bundle.zip")
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    from chorus.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="legalexport.downloaded").exists()
    bad = client.post("/legal-export/", {"scope": "incident", "incident_id": ""})
    assert bad.status_code == 422


def test_verify_refuses_what_is_not_a_bundle(tmp_path):
    assert "does not exist" in verify_bundle(tmp_path / "nope.zip").errors[0]
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    assert not verify_bundle(junk).ok
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "manifest.json is missing" in verify_bundle(empty).errors[0]
    shutil.rmtree(empty)
    assert Path(tmp_path).exists()
