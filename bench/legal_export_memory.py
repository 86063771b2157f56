"""Legal export memory: prints numbers, never asserts.

    .venv/bin/python bench/legal_export_memory.py [--files 50 200] [--mb 1]

For each size, builds a fresh SQLite database with one incident holding N evidence files of
`--mb` MB each, runs the export build (the worker's code path) and prints the bundle size, the
time and the peak Python heap (tracemalloc) during the build. A build that streams to disk
keeps the peak about the same whatever N is; one that held the bundle in memory would grow
with N x MB.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(files: int, mb: int) -> None:
    tmp = tempfile.mkdtemp(prefix="chorus-bench-export-")
    os.environ.update(DATABASE_URL=f"sqlite:///{tmp}/db.sqlite3", MEDIA_ROOT=f"{tmp}/media",
                      TASK_BACKEND="immediate", DJANGO_SETTINGS_MODULE="config.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection

    connection.close()
    call_command("migrate", verbosity=0)
    from chorus.incidents import services as S
    from chorus.incidents.models import Evidence
    from chorus.legalexport.models import ExportJob
    from chorus.legalexport.services import export_build
    from chorus.people.services import organization_create, person_create, user_create

    org = organization_create(name=f"Bench {files}", jurisdictions=["DE"])
    hr = user_create(organization=org, email=f"hr{files}@b.example", full_name="HR",
                     password=None, roles=["hr"])
    legal = user_create(organization=org, email=f"legal{files}@b.example", full_name="Legal",
                        password=None, roles=["legal"])
    subject = person_create(organization=org, full_name="Subject", email=f"s{files}@b.example")
    incident = S.incident_open_manual(organization=org, actor=hr, subject=subject,
                                      title="Bench case")
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(mb * 1024 * 1024)
    for n in range(files):
        upload = SimpleUploadedFile(f"s{n}.png", png[:-1] + bytes([n % 256]),
                                    content_type="image/png")
        import hashlib

        ev = Evidence(organization=org, incident=incident, kind="screenshot",
                      content_type="image/png", size=len(png),
                      sha256=hashlib.sha256(upload.read()).hexdigest())
        upload.seek(0)
        ev.file.save(f"s{n}.png", upload, save=True)
    job = ExportJob.objects.create(organization=org, requested_by=legal, scope="incident",
                                   incident_id=incident.pk)
    tracemalloc.start()
    started = time.perf_counter()
    job = export_build(job_id=job.pk)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"files={files:>5} x {mb} MB  bundle={job.size / 1_048_576:8.1f} MB  "
          f"documents={job.documents:>5}  time={elapsed:6.2f} s  "
          f"peak_heap={peak / 1_048_576:6.1f} MB")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--mb", type=int, default=1)
    args = parser.parse_args()
    for n in args.files:
        # A fresh interpreter per size, so one run's caches do not flatter the next.
        if len(args.files) > 1:
            os.system(f"{sys.executable} {__file__} --files {n} --mb {args.mb}")
        else:
            run(n, args.mb)
