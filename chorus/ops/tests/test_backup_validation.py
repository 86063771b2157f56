"""Bad archives are refused with a clear reason before anything is touched (in-process: the
refusals happen before the database or MEDIA_ROOT is opened for writing)."""

import hashlib
import io
import json
import tarfile

import pytest

from chorus.ops.backup import BackupError, backup_create, backup_restore
from chorus.people.models import Organization

pytestmark = pytest.mark.django_db

DB = b"SQLite format 3\x00" + b"\x00" * 100


def _entry(path, data):
    return {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _archive(tmp_path, members, *, manifest=None, migrations=None):
    files = [_entry(name, data) for name, data in members if not name.startswith("!")]
    manifest = manifest or {
        "format": "chorus-backup",
        "format_version": 1,
        "created_at": "2026-12-03T00:00:00+00:00",
        "chorus_version": "0.1.0",
        "database": {"vendor": "sqlite", "member": "database/chorus.sqlite3"},
        "migrations": migrations or {},
        "files": files,
    }
    path = tmp_path / "archive.tar"
    with tarfile.open(path, "w") as tar:
        for name, data in [("manifest.json", json.dumps(manifest).encode()), *members]:
            info = tarfile.TarInfo(name.lstrip("!"))
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    (root / "reports").mkdir(parents=True)
    (root / "reports" / "keep.png").write_bytes(b"mine")
    settings.MEDIA_ROOT = str(root)
    return root


def _refused(archive, match, media, org):
    with pytest.raises(BackupError, match=match):
        backup_restore(archive_path=archive, force=True)
    assert Organization.objects.filter(pk=org.pk).exists()
    assert (media / "reports" / "keep.png").read_bytes() == b"mine"
    assert not [p for p in media.parent.iterdir() if p.name.startswith(".media.restore-")]


def test_a_file_that_is_not_a_tar_archive_is_refused(tmp_path, media, org):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    _refused(path, "not a readable tar archive", media, org)


def test_an_archive_without_manifest_is_refused(tmp_path, media, org):
    path = tmp_path / "plain.tar"
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("database/chorus.sqlite3")
        info.size = len(DB)
        tar.addfile(info, io.BytesIO(DB))
    _refused(path, "no manifest.json; it is not a Chorus backup", media, org)


def test_unsafe_paths_are_refused(tmp_path, media, org):
    archive = _archive(
        tmp_path, [("database/chorus.sqlite3", DB), ("!../../etc/cron.d/x", b"evil")]
    )
    _refused(archive, "unsafe path", media, org)


def test_a_member_missing_from_the_manifest_is_refused(tmp_path, media, org):
    archive = _archive(tmp_path, [("database/chorus.sqlite3", DB), ("!media/extra.png", b"x")])
    _refused(archive, "not in manifest.json", media, org)


def test_a_file_listed_but_missing_is_refused(tmp_path, media, org):
    manifest_files = [_entry("database/chorus.sqlite3", DB), _entry("media/gone.png", b"x")]
    manifest = {
        "format": "chorus-backup",
        "format_version": 1,
        "created_at": "x",
        "chorus_version": "0.1.0",
        "database": {"vendor": "sqlite", "member": "database/chorus.sqlite3"},
        "migrations": {},
        "files": manifest_files,
    }
    archive = _archive(tmp_path, [("database/chorus.sqlite3", DB)], manifest=manifest)
    _refused(archive, "missing from the archive", media, org)


def test_a_backup_from_a_newer_chorus_is_refused(tmp_path, media, org):
    archive = _archive(
        tmp_path,
        [("database/chorus.sqlite3", DB)],
        migrations={"reports": ["0001_initial", "0099_from_the_future"]},
    )
    _refused(archive, r"newer Chorus .*reports\.0099_from_the_future", media, org)


def test_another_format_version_is_refused_with_what_to_do(tmp_path, media, org):
    manifest = {"format": "chorus-backup", "format_version": 7, "chorus_version": "3.0"}
    archive = _archive(tmp_path, [], manifest=manifest)
    _refused(archive, r"format version 7.*Chorus version that made it \(3.0\)", media, org)


def test_a_backup_is_never_written_inside_media_root(media):
    with pytest.raises(BackupError, match="inside MEDIA_ROOT"):
        backup_create(output=media / "backup.tar")
    assert not (media / "backup.tar").exists()


def test_a_failed_backup_leaves_no_partial_archive(tmp_path, media, monkeypatch):
    import tarfile as tarfile_module

    real_open = tarfile_module.open

    def disk_full(*args, **kwargs):
        archive = real_open(*args, **kwargs)

        def addfile(*a, **k):
            raise OSError(28, "No space left on device")

        archive.addfile = addfile
        return archive

    monkeypatch.setattr("chorus.ops.backup.tarfile.open", disk_full)
    output = tmp_path / "out" / "backup.tar"

    with pytest.raises(BackupError, match=r"No space left on device.*No archive was left behind"):
        backup_create(output=output)

    assert list(output.parent.iterdir()) == []
