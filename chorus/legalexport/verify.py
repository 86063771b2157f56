"""Offline verification of a legal export bundle. Plain Python: no Django, no database.

A bundle (a .zip, or the directory it was unpacked to) holds `manifest.json`, which lists
every other file with its SHA-256 and size. `verify_bundle` checks that
- every listed file is present, with that size and SHA-256, and no unlisted file was added;
- each row of the Concordance load file (DATA/loadfile.dat) names a listed file whose
  SHA-256 is the one in the row, and each line of the Opticon image list (DATA/images.opt)
  names a listed image;
- each entry of the audit-chain excerpt (AUDIT/audit_chain.jsonl) still hashes to its
  `entry_hash` (the same canonical form as `chorus audit verify`), and consecutive entries
  link (`prev_hash` of seq n+1 is the `entry_hash` of seq n).
It also returns the manifest's own SHA-256, which Chorus recorded in its audit trail when it
built the bundle: compare the two to know the manifest itself is the one Chorus wrote.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

MANIFEST = "manifest.json"
LOADFILE = "DATA/loadfile.dat"
OPT = "DATA/images.opt"
AUDIT = "AUDIT/audit_chain.jsonl"
FORMAT = "chorus-legal-export/1"
# Concordance's defaults: field separator DC4 (ASCII 20), text qualifier þ (ASCII 254),
# newline inside a field ® (ASCII 174).
DAT_SEP, DAT_QUOTE, DAT_NEWLINE = "\x14", "\xfe", "\xae"


@dataclass
class VerifyReport:
    ok: bool = True
    errors: list[str] = field(default_factory=list)
    files: int = 0
    documents: int = 0
    audit_entries: int = 0
    manifest_sha256: str = ""

    def fail(self, message: str) -> None:
        self.ok = False
        if len(self.errors) < 50:
            self.errors.append(message)

    def describe(self) -> str:
        if self.ok:
            return (f"Bundle verified: {self.files} files, {self.documents} documents, "
                    f"{self.audit_entries} audit entries intact. Manifest SHA-256 "
                    f"{self.manifest_sha256}.")
        return "Bundle verification FAILED:\n" + "\n".join(f"- {e}" for e in self.errors)


class _Bundle:
    """Read access to a zip or a directory, by POSIX member name."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path) if path.is_file() else None

    def names(self) -> set[str]:
        if self.zip is not None:
            return {i.filename for i in self.zip.infolist() if not i.is_dir()}
        return {p.relative_to(self.path).as_posix() for p in self.path.rglob("*") if p.is_file()}

    def open(self, name: str) -> IO[bytes]:
        if self.zip is not None:
            return self.zip.open(name)
        return (self.path / name).open("rb")

    def size(self, name: str) -> int:
        if self.zip is not None:
            return self.zip.getinfo(name).file_size
        return (self.path / name).stat().st_size


def canonical_audit(entry: dict) -> bytes:
    """The audit trail's canonical form (must match chorus.audit.services._canonical)."""
    payload = {k: entry.get(k) for k in (
        "organization", "seq", "created_at", "actor_id", "actor_label", "action",
        "target_type", "target_id", "target_label", "data", "prev_hash")}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


def parse_dat(text: str) -> Iterator[dict[str, str]]:
    lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip()]
    if not lines:
        return
    def cells(line: str) -> list[str]:
        return [c.strip(DAT_QUOTE).replace(DAT_NEWLINE, "\n") for c in line.split(DAT_SEP)]
    header = cells(lines[0])
    for line in lines[1:]:
        yield dict(zip(header, cells(line), strict=False))


def verify_bundle(path: str | Path) -> VerifyReport:
    report = VerifyReport()
    path = Path(path)
    if not path.exists():
        report.fail(f"{path} does not exist.")
        return report
    try:
        bundle = _Bundle(path)
        names = bundle.names()
    except (zipfile.BadZipFile, OSError) as exc:
        report.fail(f"{path} is not a readable bundle (.zip or directory): {exc}")
        return report
    if MANIFEST not in names:
        report.fail("manifest.json is missing: this is not a Chorus legal export.")
        return report
    with bundle.open(MANIFEST) as fh:
        raw = fh.read()
    report.manifest_sha256 = hashlib.sha256(raw).hexdigest()
    try:
        manifest = json.loads(raw)
        listed = {f["path"]: f for f in manifest["files"]}
    except (ValueError, KeyError, TypeError):
        report.fail("manifest.json is not valid JSON of the expected shape.")
        return report
    if manifest.get("format") != FORMAT:
        report.fail(f"Unknown bundle format {manifest.get('format')!r} (expected {FORMAT}).")
    for name in sorted(names - set(listed) - {MANIFEST}):
        report.fail(f"{name} is in the bundle but not in the manifest (added after export).")
    hashes: dict[str, str] = {}
    for name, item in sorted(listed.items()):
        if name not in names:
            report.fail(f"{name} is listed in the manifest but missing.")
            continue
        with bundle.open(name) as fh:
            actual = _sha256(fh)
        hashes[name] = actual
        if actual != item.get("sha256"):
            report.fail(f"{name}: SHA-256 is {actual}, the manifest says {item.get('sha256')} "
                        "(the file was changed).")
        elif bundle.size(name) != item.get("size"):
            report.fail(f"{name}: size differs from the manifest.")
        report.files += 1
    if LOADFILE in hashes:
        with bundle.open(LOADFILE) as fh:
            for row in parse_dat(io.TextIOWrapper(fh, encoding="utf-8").read()):
                report.documents += 1
                native = row.get("NATIVEPATH", "").replace("\\", "/")
                if native not in listed:
                    report.fail(f"Load file row {row.get('BEGDOC')}: {native} is not in the "
                                "bundle.")
                elif row.get("SHA256") != listed[native].get("sha256"):
                    report.fail(f"Load file row {row.get('BEGDOC')}: SHA-256 differs from the "
                                "manifest.")
    else:
        report.fail("DATA/loadfile.dat (the Concordance load file) is missing.")
    if OPT in hashes:
        with bundle.open(OPT) as fh:
            for n, line in enumerate(io.TextIOWrapper(fh, encoding="utf-8"), 1):
                parts = line.strip().split(",")
                if len(parts) >= 3 and parts[2].replace("\\", "/") not in listed:
                    report.fail(f"Image list line {n}: {parts[2]} is not in the bundle.")
    if AUDIT in hashes:
        previous: dict | None = None
        with bundle.open(AUDIT) as fh:
            for n, line in enumerate(io.TextIOWrapper(fh, encoding="utf-8"), 1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                except ValueError:
                    report.fail(f"Audit excerpt line {n} is not JSON.")
                    continue
                report.audit_entries += 1
                if hashlib.sha256(canonical_audit(entry)).hexdigest() != entry.get("entry_hash"):
                    report.fail(f"Audit entry #{entry.get('seq')} does not match its hash "
                                "(it was edited).")
                if (previous is not None and entry.get("seq") == previous.get("seq", 0) + 1
                        and entry.get("prev_hash") != previous.get("entry_hash")):
                    report.fail(f"Audit entry #{entry.get('seq')} does not link to "
                                f"#{previous.get('seq')}.")
                previous = entry
    return report
