"""`chorus backup` / `chorus restore` end to end, as an operator runs them: a real installation
(its own SQLite file or PostgreSQL database and MEDIA_ROOT) is migrated and seeded, backed up,
and restored into a second, empty installation, in separate processes.

The PostgreSQL variant runs when DATABASE_URL points at PostgreSQL (make test-postgres) or
BACKUP_TEST_PG_URL names a server; it creates and drops two databases of its own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[3]

# Every row of every table as a digest, every uploaded file with its hash, the audit chain.
SNAPSHOT = """
import hashlib, json
from pathlib import Path
import django
django.setup()
from django.apps import apps
from django.conf import settings
from django.core import serializers
from chorus.audit.services import audit_verify
tables = {}
for model in apps.get_models():
    if not model._meta.managed:
        continue
    rows = model._base_manager.order_by("pk")
    tables[model._meta.label] = [rows.count(), hashlib.sha256(
        serializers.serialize("json", rows).encode()).hexdigest()]
root = Path(settings.MEDIA_ROOT)
files = {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
         for p in sorted(root.rglob("*")) if p.is_file()}
result = audit_verify()
print(json.dumps({"tables": tables, "files": files, "audit": [result.ok, result.checked]}))
"""

BUILD = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("seed")
"""


def _pg_base_url() -> str | None:
    for candidate in (os.environ.get("BACKUP_TEST_PG_URL"), os.environ.get("DATABASE_URL")):
        if candidate and candidate.startswith("postgres"):
            return candidate
    return None


def _env(database_url: str, media: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media),
        # Seeded tasks wait in the database queue: nothing reaches out to the network.
        TASK_BACKEND="database",
        LOG_LEVEL="WARNING",
    )
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=900
    )


def _chorus(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return _run(env, "-m", "chorus.cli", *args)


def _snapshot(env: dict[str, str]) -> dict:
    result = _run(env, "-c", SNAPSHOT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


class Installation:
    def __init__(self, tmp: Path, name: str, database_url: str) -> None:
        self.media = tmp / f"media-{name}"
        self.database_url = database_url
        self.env = _env(database_url, self.media)


def _pg_admin(base_url: str, sql: str) -> None:
    import psycopg

    params = dj_database_url.parse(base_url)
    with psycopg.connect(
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
        user=params["USER"] or "postgres",
        password=params["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(sql)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def installations(request, tmp_path_factory):
    """(source with the demo data and its backup archive, empty target)."""
    tmp = tmp_path_factory.mktemp(f"backup-{request.param}")
    created: list[str] = []
    if request.param == "sqlite":
        source = Installation(tmp, "a", f"sqlite:///{tmp / 'a.sqlite3'}")
        target = Installation(tmp, "b", f"sqlite:///{tmp / 'b.sqlite3'}")
    else:
        base = _pg_base_url()
        if base is None:
            pytest.skip("PostgreSQL variant: set DATABASE_URL or BACKUP_TEST_PG_URL to a server")
        if shutil.which("pg_dump") is None:
            pytest.skip("pg_dump is not installed")
        stem = dj_database_url.parse(base)["NAME"] or "chorus"
        suffix = uuid.uuid4().hex[:8]
        names = [f"{stem}_bksrc_{suffix}", f"{stem}_bkdst_{suffix}"]
        for name in names:
            _pg_admin(base, f'CREATE DATABASE "{name}"')
            created.append(name)
        root = base.rsplit("/", 1)[0]
        source = Installation(tmp, "a", f"{root}/{names[0]}")
        target = Installation(tmp, "b", f"{root}/{names[1]}")
    built = _run(source.env, "-c", BUILD)
    assert built.returncode == 0, built.stderr
    archive = tmp / "chorus-backup.tar"
    made = _chorus(source.env, "backup", "--output", str(archive))
    assert made.returncode == 0, made.stderr
    yield source, target, archive
    for name in created:
        _pg_admin(_pg_base_url() or "", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_restore_into_an_empty_installation_finds_every_record_file_and_the_audit_chain(
    installations,
):
    source, target, archive = installations
    before = _snapshot(source.env)
    assert before["files"], "the demo seed stores at least one uploaded file"
    assert before["tables"]["audit.AuditEntry"][0] > 0

    restored = _chorus(target.env, "restore", str(archive))

    assert restored.returncode == 0, restored.stderr
    assert "Restored the backup" in restored.stdout
    after = _snapshot(target.env)
    assert after["tables"] == before["tables"]
    assert after["files"] == before["files"]
    assert after["audit"] == [True, before["audit"][1]]
    verify = _chorus(target.env, "audit", "verify")
    assert verify.returncode == 0 and "chain intact" in verify.stdout


def test_the_manifest_lists_every_file_with_its_checksum_and_the_migration_state(installations):
    _, _, archive = installations
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())

    assert names[0] == "manifest.json"
    assert sorted(f["path"] for f in manifest["files"]) == sorted(names[1:])
    assert all(len(f["sha256"]) == 64 for f in manifest["files"])
    assert manifest["chorus_version"] and "0001_initial" in manifest["migrations"]["audit"]
    assert manifest["counts"]["people.Organization"] == 1


def test_restore_refuses_a_non_empty_installation_without_force(installations):
    source, _, archive = installations
    before = _snapshot(source.env)

    refused = _chorus(source.env, "restore", str(archive))

    assert refused.returncode == 1
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    assert _snapshot(source.env) == before


def test_restore_verifies_checksums_before_touching_anything(installations, tmp_path):
    source, _, archive = installations
    tampered = tmp_path / "tampered.tar"
    with tarfile.open(archive) as original, tarfile.open(tampered, "w") as copy:
        for member in original:
            data = original.extractfile(member).read()
            if member.name.startswith("media/"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            member.size = len(data)
            import io

            copy.addfile(member, io.BytesIO(data))
    before = _snapshot(source.env)

    refused = _chorus(source.env, "restore", "--force", str(tampered))

    assert refused.returncode == 1
    assert (
        "does not match its checksum" in refused.stderr and "Nothing was restored" in refused.stderr
    )
    assert _snapshot(source.env) == before
    checked = _chorus(source.env, "backup", "--verify", str(tampered))
    assert checked.returncode == 1 and "does not match its checksum" in checked.stderr


def test_restore_with_force_replaces_a_non_empty_installation(installations, tmp_path):
    source, _, archive = installations
    other = Installation(tmp_path, "c", source.database_url.replace("a.sqlite3", "c.sqlite3"))
    if "sqlite" not in source.database_url:
        pytest.skip("the SQLite variant covers replacing; PostgreSQL replaces with --clean")
    built = _run(other.env, "-c", BUILD)
    assert built.returncode == 0, built.stderr
    before = _snapshot(source.env)

    replaced = _chorus(other.env, "restore", "--force", str(archive))

    assert replaced.returncode == 0, replaced.stderr
    after = _snapshot(other.env)
    assert after["tables"] == before["tables"] and after["files"] == before["files"]
