"""`chorus backup` and `chorus restore`: the database and the uploaded files in one archive.

The archive is a tar file (gzip-compressed when its name ends in `.gz`) holding:

- `manifest.json` (first member): format, creation time, Chorus version, database vendor, the
  applied migrations, row counts, and every other member with its size and SHA-256;
- `database/chorus.sqlite3` (SQLite online backup API: a consistent copy while Chorus runs) or
  `database/chorus.pgdump` (`pg_dump --format=custom`);
- `media/<path>`: every file under MEDIA_ROOT (screenshots, evidence, content images).

Guarantees:
- A backup is written to `<output>.partial` and renamed into place only when complete, so a
  failed run (disk full, database gone) never leaves something that looks like a backup.
- Restore verifies the whole archive first (manifest present and well-formed, every member
  listed, nothing unlisted, sizes and SHA-256 match, safe paths, the migrations are known to
  this code) and touches nothing until every check passed.
- Restore refuses an installation that already holds data (organizations, users or uploaded
  files) unless `force=True`.
- The database is replaced in one transaction (SQLite: the backup API into the live file;
  PostgreSQL: `pg_restore --single-transaction`). Files are staged beside MEDIA_ROOT and
  swapped in with a rename after the database succeeded; a failed database restore leaves
  both the database and the files as they were.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "chorus-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/chorus.sqlite3"
PG_MEMBER = "database/chorus.pgdump"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore could not be done; the message says why and what to do."""


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    files_restored: int
    pending_migrations: list[str] = field(default_factory=list)


def chorus_version() -> str:
    try:
        return importlib.metadata.version("chorus")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _vendor() -> str:
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor!r}.")
    return vendor


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_files(root: Path) -> Iterator[tuple[str, Path]]:
    if not root.exists():
        return
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            raise BackupError(
                f"{path} is a symbolic link; MEDIA_ROOT should hold only regular files. "
                "Replace the link with the file it points to."
            )
        if path.is_file():
            yield path.relative_to(root).as_posix(), path


def applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


def _row_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        try:
            counts[model._meta.label] = model._base_manager.count()
        except Exception:  # a table this database does not have yet (optional app)  # noqa: S112
            continue
    return counts


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = {**os.environ}
    for key, value in (
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGDATABASE", db.get("NAME")),
        ("PGSSLMODE", (db.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[key] = str(value)
    return env


def _run_pg(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed. Install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client) in the version of your server."
        )
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


def _dump_database(vendor: str, target: Path) -> None:
    if vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            # The online backup API copies a consistent snapshot while others keep writing.
            connection.connection.backup(destination)
        finally:
            destination.close()
    else:
        _run_pg(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"])


def backup_create(*, output: Path) -> dict[str, Any]:
    """Write a complete backup archive to `output` and return its manifest."""
    vendor = _vendor()
    output = Path(output)
    if output.exists() and output.is_dir():
        raise BackupError(f"{output} is a directory; give the archive's file name.")
    if output.resolve().is_relative_to(_media_root().resolve()):
        raise BackupError(
            f"{output} is inside MEDIA_ROOT ({_media_root()}); every later backup would contain "
            "it. Write backups somewhere else, e.g. /var/backups/chorus/."
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    mode = "w:gz" if output.name.endswith(".gz") else "w"
    try:
        with tempfile.TemporaryDirectory(prefix="chorus-backup-") as tmp:
            member = SQLITE_MEMBER if vendor == "sqlite" else PG_MEMBER
            dump = Path(tmp) / Path(member).name
            _dump_database(vendor, dump)
            entries: list[tuple[str, Path]] = [(member, dump)]
            entries += [(f"media/{name}", path) for name, path in _media_files(_media_root())]
            files = [
                {"path": name, "size": path.stat().st_size, "sha256": _sha256_file(path)}
                for name, path in entries
            ]
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": timezone.now().isoformat(),
                "chorus_version": chorus_version(),
                "database": {"vendor": vendor, "member": member},
                "migrations": applied_migrations(),
                "counts": _row_counts(),
                "files": files,
            }
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            with tarfile.open(partial, mode) as archive:  # type: ignore[call-overload]
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
                archive.addfile(info, io.BytesIO(data))
                for (name, path), listed in zip(entries, files, strict=True):
                    # Hash and size were taken above; a file that changed since is refused
                    # at restore, never silently accepted.
                    if path.stat().st_size != listed["size"]:
                        raise BackupError(
                            f"{name} changed while the backup was written; run it again."
                        )
                    archive.add(path, arcname=name, recursive=False)
        os.replace(partial, output)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(
            f"Writing the backup failed: {exc}. No archive was left behind; free some space "
            f"(or choose another --output) and run it again."
        ) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


# --- restore ---------------------------------------------------------------------------------


def _safe_member_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or name != path.as_posix():
        raise BackupError(f"The archive has an unsafe path {name!r}; it was not made by Chorus.")
    return name


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.getmember(MANIFEST)
        handle = archive.extractfile(member)
        assert handle is not None
        manifest = json.loads(handle.read())
    except (KeyError, AssertionError):
        raise BackupError("The archive has no manifest.json; it is not a Chorus backup.")
    except ValueError as exc:
        raise BackupError(f"manifest.json is not valid JSON ({exc}); the archive is damaged.")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("manifest.json does not describe a Chorus backup.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"This backup has format version {manifest.get('format_version')!r}; this Chorus "
            f"reads version {FORMAT_VERSION}. Restore it with the Chorus version that made it "
            f"({manifest.get('chorus_version', 'unknown')})."
        )
    for key in ("database", "migrations", "files"):
        if key not in manifest:
            raise BackupError(f"manifest.json lacks {key!r}; the archive is damaged.")
    return manifest


def _unknown_migrations(manifest: dict[str, Any]) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    )


def _pending_after(manifest: dict[str, Any]) -> list[str]:
    """Migrations this code has that the restored database has not applied yet."""
    done = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    labels = {config.label for config in apps.get_app_configs()}
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return sorted(
        f"{app}.{name}" for app, name in known if app in labels and (app, name) not in done
    )


def installation_contents() -> list[str]:
    """What this installation already holds (empty list: nothing, safe to restore into)."""
    found = []
    from chorus.people.models import Organization, User

    try:
        orgs, users = Organization.objects.count(), User.objects.count()
    except Exception:  # no tables yet: a database nobody migrated is empty
        orgs = users = 0
    if orgs or users:
        found.append(f"the database holds {orgs} organization(s) and {users} user(s)")
    media = sum(1 for _ in _media_files(_media_root()))
    if media:
        found.append(f"MEDIA_ROOT ({_media_root()}) holds {media} file(s)")
    return found


def _extract_verified(archive: tarfile.TarFile, manifest: dict[str, Any], staging: Path) -> None:
    listed = {}
    for entry in manifest["files"]:
        name = _safe_member_name(str(entry.get("path", "")))
        if not (name.startswith("database/") or name.startswith("media/")):
            raise BackupError(f"manifest.json lists {name!r}, outside database/ and media/.")
        listed[name] = entry
    database_member = manifest["database"].get("member")
    if database_member not in listed:
        raise BackupError("manifest.json does not list the database file; the archive is damaged.")
    seen = set()
    for member in archive:
        if member.name == MANIFEST:
            continue
        name = _safe_member_name(member.name)
        if not member.isfile():
            raise BackupError(f"{name!r} in the archive is not a regular file; refusing it.")
        if name not in listed:
            raise BackupError(f"{name!r} is in the archive but not in manifest.json; refusing it.")
        if name in seen:
            raise BackupError(f"{name!r} appears twice in the archive; refusing it.")
        seen.add(name)
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        source = archive.extractfile(member)
        assert source is not None
        with target.open("wb") as out:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        expected = listed[name]
        if size != expected.get("size") or digest.hexdigest() != expected.get("sha256"):
            raise BackupError(
                f"{name} does not match its checksum in manifest.json (the archive is damaged "
                "or was altered). Nothing was restored."
            )
    missing = sorted(set(listed) - seen)
    if missing:
        raise BackupError(
            f"{len(missing)} file(s) listed in manifest.json are missing from the archive, "
            f"e.g. {missing[0]}. Nothing was restored."
        )


def _restore_database(vendor: str, dump: Path) -> None:
    connections.close_all()
    if vendor == "sqlite":
        source = sqlite3.connect(dump)
        try:
            check = source.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"The database in the archive fails its integrity check: {check}")
            connection.ensure_connection()
            # The backup API replaces the whole destination in one write transaction: either
            # every page of the backup is in place, or the old database is unchanged.
            source.backup(connection.connection)
        finally:
            source.close()
            connections.close_all()
    else:
        _run_pg(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={settings.DATABASES['default']['NAME']}",
                str(dump),
            ]
        )


def _swap_media(staged: Path) -> int:
    root = _media_root()
    count = sum(1 for p in staged.rglob("*") if p.is_file()) if staged.exists() else 0
    staged.mkdir(parents=True, exist_ok=True)
    old = root.with_name(f".{root.name}.pre-restore-{uuid.uuid4().hex[:8]}")
    try:
        if root.exists():
            os.rename(root, old)
        os.rename(staged, root)
    except OSError:
        # MEDIA_ROOT is a mount point (or on another file system): move the contents instead.
        if old.exists() and not root.exists():
            os.rename(old, root)
        for child in list(root.iterdir()):
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        for child in list(staged.iterdir()):
            shutil.move(str(child), root / child.name)
        return count
    shutil.rmtree(old, ignore_errors=True)
    return count


def backup_verify(*, archive_path: Path) -> dict[str, Any]:
    """Check an archive completely (manifest, checksums, known migrations) without restoring."""
    with tempfile.TemporaryDirectory(prefix="chorus-verify-") as tmp:
        manifest, _ = _open_and_verify(Path(archive_path), Path(tmp))
    return manifest


def _open_and_verify(archive_path: Path, staging: Path) -> tuple[dict[str, Any], Path]:
    if not archive_path.is_file():
        raise BackupError(f"{archive_path} does not exist or is not a file.")
    try:
        with tarfile.open(archive_path, "r:*") as archive:
            manifest = _read_manifest(archive)
            _extract_verified(archive, manifest, staging)
    except tarfile.TarError as exc:
        raise BackupError(f"{archive_path} is not a readable tar archive ({exc}).")
    unknown = _unknown_migrations(manifest)
    if unknown:
        raise BackupError(
            f"The backup was made by a newer Chorus ({manifest.get('chorus_version')}): "
            f"{len(unknown)} migration(s) are unknown here, e.g. {unknown[0]}. "
            "Upgrade Chorus to that version first, then restore."
        )
    return manifest, staging


def backup_restore(*, archive_path: Path, force: bool = False) -> RestoreResult:
    """Restore an archive made by `backup_create` into this installation (see module doc).

    Stop the web server, the worker and the stream before restoring: they would keep writing
    to the database being replaced."""
    vendor = _vendor()
    root = _media_root()
    root.parent.mkdir(parents=True, exist_ok=True)
    # Staged beside MEDIA_ROOT so the final swap is a rename on one file system.
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.restore-", dir=root.parent))
    try:
        manifest, _ = _open_and_verify(Path(archive_path), staging)
        made_with = manifest["database"].get("vendor")
        if made_with != vendor:
            raise BackupError(
                f"This backup holds a {made_with} database; this installation uses {vendor}. "
                f"Restore it into a {made_with} installation."
            )
        contents = installation_contents()
        if contents and not force:
            raise BackupError(
                "This installation is not empty: " + "; ".join(contents) + ". Restoring would "
                "replace it. Run with --force to replace it, or restore into an empty one."
            )
        _restore_database(vendor, staging / manifest["database"]["member"])
        files = _swap_media(staging / "media")
        return RestoreResult(
            manifest=manifest, files_restored=files, pending_migrations=_pending_after(manifest)
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
