"""Tracked-link redirect speed: prints numbers, never asserts.

    .venv/bin/python bench/advocacy_redirect.py [--duration 10] [--connections 32] [--workers 2]

Starts Chorus on loopback against a fresh SQLite database (WAL) seeded with one organization,
one approved item and one share, then drives two URLs of the same server with wrk:

1. `/l/<code>`: the tracked link. Each request is a real click from a browser user agent, so
   it pays the full price: one indexed lookup of the share, one visitor-hash insert, the 302.
2. `/healthz`: the cheapest dynamic page (one `SELECT 1`), the baseline.

It prints requests/s and p99 latency for both and the ratio redirect/health. The server is
gunicorn (sync workers, `--workers`, the production setup) when installed, else Django's
runserver without autoreload. Settings are production-like: DEBUG=false, persistent database
connections (DATABASE_CONN_MAX_AGE=600). Needs `wrk` (Debian: `sudo apt-get install -y wrk`).

Reading the numbers: SQLite allows one writer at a time across processes, so with several
workers the click inserts queue on its lock (SQLite's busy handler sleeps in steps of up to
100 ms, which shows in the p99). `--workers 1` shows the redirect's own cost; PostgreSQL has
no such lock and is what several workers should run on.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"

SEED = r"""
import django; django.setup()
from chorus.advocacy.models import ContentItem
from chorus.advocacy.services import CaptionIn, content_create, content_transition, share_create
from chorus.people.services import organization_create, person_create, user_create
org = organization_create(name="Bench Robotics")
def member(key, roles):
    user = user_create(organization=org, email=f"{key}@bench.example", full_name=key.title(),
                       password=None, roles=roles)
    person_create(organization=org, full_name=user.full_name, email=user.email,
                  department="Engineering", user=user)
    return user
author, approver = member("author", ["communications"]), member("approver", ["admin"])
employee = member("employee", ["employee"])
item = content_create(actor=author, title="Bench item", body="Body",
                      link="https://bench.example/news?ref=home",
                      captions=[CaptionIn(network="x", text="Bench caption")])
content_transition(item=item, actor=author, to_status=ContentItem.Status.IN_REVIEW)
content_transition(item=item, actor=approver, to_status=ContentItem.Status.APPROVED)
share = share_create(user=employee, item=item, network="x", text="Bench caption")
print(share.code)
"""

COUNT = r"""
import django; django.setup()
from chorus.advocacy.models import Click
print(Click.objects.count())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"The server did not answer {url} within {timeout:.0f}s.")


def run_wrk(url: str, *, duration: int, connections: int, threads: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
         "-H", f"User-Agent: {BROWSER_UA}", url],
        check=True, capture_output=True, text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {"rps": rps, "p99_ms": float(p99.group(1)) * scale,
            "bad": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(0) if errors else ""}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per URL")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed. On Debian/Ubuntu: sudo apt-get install -y wrk")

    tmp = Path(tempfile.mkdtemp(prefix="chorus-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "DATABASE_CONN_MAX_AGE": "600",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "TASK_BACKEND": "immediate",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "AXES_ENABLED": "false",
    }
    subprocess.run([str(PYTHON), "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    code = subprocess.run([str(PYTHON), "-c", SEED], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()[-1]
    if GUNICORN.exists():
        server = [str(GUNICORN), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
                  "--workers", str(args.workers), "--log-level", "warning"]
        label = f"gunicorn, {args.workers} sync workers"
    else:
        server = [str(PYTHON), "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
        label = "Django runserver --noreload (gunicorn not installed)"
    proc = subprocess.Popen(server, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz")
        results = {}
        for name, path in (("redirect /l/<code>", f"/l/{code}"), ("health /healthz", "/healthz")):
            run_wrk(base + path, duration=2, connections=args.connections,
                    threads=args.threads)  # warm-up: workers import, connections open
            results[name] = run_wrk(base + path, duration=args.duration,
                                    connections=args.connections, threads=args.threads)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    clicks = subprocess.run([str(PYTHON), "-c", COUNT], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True).stdout.strip()
    shutil.rmtree(tmp, ignore_errors=True)

    print(f"Server: {label}, SQLite (WAL), loopback; wrk -t{args.threads} "
          f"-c{args.connections} -d{args.duration}s")
    print(f"{'endpoint':<22}{'requests/s':>12}{'p99 ms':>10}{'errors':>8}")
    for name, r in results.items():
        print(f"{name:<22}{r['rps']:>12.0f}{r['p99_ms']:>10.2f}{r['bad']:>8}")
    redirect, health = results["redirect /l/<code>"], results["health /healthz"]
    print(f"ratio redirect/health: {redirect['rps'] / health['rps']:.2f}x requests/s, "
          f"{redirect['p99_ms'] / health['p99_ms']:.2f}x p99")
    print(f"clicks recorded during the run: {clicks} (each redirect inserted one row)")
    for name, r in results.items():
        if r["socket_errors"]:
            print(f"{name}: {r['socket_errors']}")


if __name__ == "__main__":
    main()
