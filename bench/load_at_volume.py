"""Load at volume with Locust: prints numbers, never asserts.

    PYTHONPATH=. .venv/bin/python bench/load_at_volume.py \
        --database postgres://postgres@127.0.0.1:5432/chorus_large --redis redis://127.0.0.1:6379/3 \
        [--users 20] [--duration 60] [--workers 2]

Starts gunicorn (`--workers` sync workers, DEBUG=false, behind a pretend TLS proxy) and one
`chorus worker` on the RQ backend against a database grown with `chorus seed --scale N`, then
runs `bench/locustfile_volume.py` headless: employees reading the hub, checking posts,
sharing and opening their shares; people following tracked links; HR opening dashboards; a
/healthz probe at the link followers' pace. Prints throughput, p50/p95/p99 per endpoint and
errors, and the tracked-link redirect's rate and p99 as a ratio to /healthz.
"""

from __future__ import annotations

import argparse
import csv
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sample(env: dict[str, str]) -> tuple[str, str, int]:
    code = (
        "import django; django.setup()\n"
        "from chorus.advocacy.models import Share\n"
        "from chorus.advocacy.selectors import feed_for\n"
        "from chorus.people.models import Person, User\n"
        "codes = list(Share.objects.order_by('?').values_list('code', flat=True)[:200])\n"
        "user = User.objects.get(email='bulk100@northwind.example')\n"
        "item = feed_for(user=user).values_list('pk', flat=True).first()\n"
        "print(','.join(codes)); print(item); print(Person.objects.count())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()
    return out[-3], out[-2], int(out[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": args.database, "REDIS_URL": args.redis,
           "TASK_BACKEND": "rq", "DEBUG": "false", "BEHIND_PROXY": "true",
           "SECRET_KEY": os.environ.get("SECRET_KEY", secrets.token_urlsafe(64)),
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "DATABASE_CONN_MAX_AGE": "600",
           "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT)}
    codes, item, people = _sample(env)
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(args.workers), "--timeout", "120", "--log-level", "warning"],
        env={**env, "LOG_LEVEL": "WARNING"}, cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([sys.executable, "manage.py", "worker"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)  # its RQ work horses stop with it
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        with tempfile.TemporaryDirectory() as tmp:
            prefix = str(Path(tmp) / "run")
            subprocess.run(
                [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile_volume.py"),
                 "--headless", "--host", f"http://127.0.0.1:{port}", "--users",
                 str(args.users), "--spawn-rate", str(max(1, args.users // 5)), "--run-time",
                 f"{args.duration}s", "--csv", prefix, "--only-summary", "--loglevel",
                 "WARNING"],
                env={**env, "CHORUS_BENCH_CODES": codes, "CHORUS_BENCH_ITEM": item,
                     "CHORUS_BENCH_PEOPLE": str(people)},
                cwd=ROOT, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
                rows = list(csv.DictReader(stats))
    finally:
        server.terminate()
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        server.wait(timeout=30)
    print(f"{people:,} people, {args.users} users for {args.duration}s, gunicorn "
          f"{args.workers} sync workers + 1 RQ worker, PostgreSQL, DEBUG=false; "
          f"load average before: {os.getloadavg()[0]:.2f}")
    print(f"{'endpoint':<44}{'requests':>9}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}"
          f"{'errors':>8}")
    by_name = {}
    for r in rows:
        by_name[r["Name"]] = r
        label = "TOTAL" if r["Name"] == "Aggregated" else f"{r['Type']} {r['Name']}"
        print(f"{label:<44}{r['Request Count']:>9}{float(r['Requests/s']):>8.1f}"
              f"{r['50%']:>7}{r['95%']:>7}{r['99%']:>7}{r['Failure Count']:>8}")
    link, health = by_name.get("/l/<code>"), by_name.get("/healthz")
    if link and health and float(health["Requests/s"]):
        print(f"tracked-link redirect vs /healthz: "
              f"{float(link['Requests/s']) / float(health['Requests/s']):.2f}x requests/s, "
              f"{float(link['99%']) / max(1.0, float(health['99%'])):.2f}x p99 "
              f"(both at the same offered pace)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
