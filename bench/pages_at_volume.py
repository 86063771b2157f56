"""Page times at volume: prints numbers, never asserts.

    PYTHONPATH=. .venv/bin/python bench/pages_at_volume.py \
        --database postgres://postgres@127.0.0.1:5432/chorus_small \
        --database postgres://postgres@127.0.0.1:5432/chorus_large [--repeat 7] [--only onboarding]

Each database must hold the demo grown with `chorus seed --scale N` (0.1 = 5,000 people,
1 = 50,000). For every main page and role it logs in (in-process Django test client, the real
middleware and templates, DEBUG=false; run `chorus collectstatic` once), GETs the page `--repeat` times (after one warm-up)
and prints the median and p95 wall time, the number of SQL queries and the response size, one
column group per database, so the growth from 5,000 to 50,000 people reads across a row.

Roles: the demo cast (admin, hr, comms, legal, manager, employee) plus `vp` (bulk0, a vice
president with ~49,000 people below at scale 1) and `heavy` (the employee with most shares).
Streaming responses (exports) are consumed fully, so their time includes the whole body.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (role, url). {item} is the most-shared item, {campaign} the demo campaign.
PAGES = [
    ("admin", "/"),
    ("hr", "/"),
    ("hr", "/onboarding/"),
    ("hr", "/onboarding/people/"),
    ("hr", "/onboarding/people/?q=smith"),
    ("hr", "/onboarding/campaigns/{campaign}/"),
    ("hr", "/onboarding/evidence/"),
    ("hr", "/onboarding/evidence/?format=csv"),
    ("hr", "/onboarding/evidence/?format=json"),
    ("hr", "/reports/queue/"),
    ("hr", "/incidents/"),
    ("hr", "/incidents/consistency/"),
    ("hr", "/incidents/consistency.csv"),
    ("comms", "/"),
    ("comms", "/advocacy/hub/"),
    ("comms", "/advocacy/hub/{item}/"),
    ("comms", "/advocacy/hub/analytics/"),
    ("comms", "/advocacy/hub/analytics.csv"),
    ("comms", "/advocacy/hub/health/"),
    ("comms", "/advocacy/leaderboard/"),
    ("legal", "/"),
    ("legal", "/audit/"),
    ("legal", "/policies/"),
    ("admin", "/monitoring/overview/"),
    ("admin", "/monitoring/alerts/"),
    ("admin", "/audit/"),
    ("manager", "/"),
    ("manager", "/onboarding/"),
    ("manager", "/onboarding/people/"),
    ("manager", "/incidents/"),
    ("employee", "/"),
    ("employee", "/advocacy/"),
    ("employee", "/advocacy/me/"),
    ("employee", "/advocacy/leaderboard/"),
    ("employee", "/check/"),
    ("employee", "/reports/"),
    ("employee", "/onboarding/me/"),
    ("employee", "/policies/current/"),
    ("employee", "/monitoring/"),
    ("heavy", "/"),
    ("heavy", "/advocacy/"),
    ("heavy", "/advocacy/me/"),
    ("vp", "/"),
    ("vp", "/onboarding/"),
    ("vp", "/onboarding/people/"),
    ("vp", "/monitoring/overview/"),
    ("vp", "/incidents/"),
]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(repeat: int, only: str) -> dict[str, object]:
    """Run inside one database (DATABASE_URL set); returns the rows as JSON-able data."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("CHORUS_ALLOW_DEMO", "true")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from chorus.advocacy.models import Share
    from chorus.onboarding.models import Campaign
    from chorus.people.models import Person, User
    from chorus.people.seed import DEMO_SLUG

    settings.ALLOWED_HOSTS = ["*"]
    org_people = Person.objects.filter(organization__slug=DEMO_SLUG).count()
    heavy_id = (
        Share.objects.filter(organization__slug=DEMO_SLUG).order_by().values("user")
        .annotate(n=Count("id")).order_by("-n").values_list("user", flat=True).first()
    )
    users: dict[str, User | None] = {key: User.objects.get(email=f"{key}@northwind.example")
             for key in ("admin", "hr", "comms", "legal", "manager", "employee")}
    users["vp"] = User.objects.filter(email="bulk0@northwind.example").first()
    users["heavy"] = User.objects.filter(pk=heavy_id).first() if heavy_id else None
    item = (
        Share.objects.filter(organization__slug=DEMO_SLUG).order_by().values("item")
        .annotate(n=Count("id")).order_by("-n").values_list("item", flat=True).first()
    )
    campaign = Campaign.objects.filter(organization__slug=DEMO_SLUG).order_by("pk").first()
    rows = []
    for role, template in PAGES:
        url = template.format(item=item, campaign=campaign.pk if campaign else 0)
        if only and only not in url:
            continue
        user = users.get(role)
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        times, queries, size, status = [], 0, 0, 0
        for attempt in range(repeat + 1):
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url, secure=True)
                body = (b"".join(response.streaming_content)  # type: ignore[attr-defined]
                        if response.streaming else response.content)
                elapsed = (time.perf_counter() - started) * 1000
            if attempt:  # the first request warms caches and is not counted
                times.append(elapsed)
            queries, size, status = len(ctx.captured_queries), len(body), response.status_code
            if elapsed > 8000 and attempt >= 1:
                break  # a page this slow is measured twice, not `repeat` times
        rows.append({"role": role, "url": template, "status": status, "queries": queries,
                     "median": statistics.median(times), "p95": _p95(times), "bytes": size,
                     "n": len(times)})
    return {"people": org_people, "rows": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", action="append", default=[],
                        help="DATABASE_URL of a scaled demo (repeat for several sizes)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", default="", help="only URLs containing this text")
    parser.add_argument("--json", default="", help="also write the results to this file")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(measure(args.repeat, args.only)))
        return 0
    databases = args.database or [os.environ.get("DATABASE_URL", "")]
    results = []
    for url in databases:
        env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
        out = subprocess.run(
            [sys.executable, __file__, "--inner", "--repeat", str(args.repeat),
             "--only", args.only], env=env, capture_output=True, text=True, check=False,
        )
        if out.returncode:
            print(out.stderr, file=sys.stderr)
            return out.returncode
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    head = f"{'role':<9}{'url':<38}"
    for res in results:
        head += f"| {res['people']:>7,} people: median    p95  queries      bytes "
    print(head)
    over = [0] * len(results)
    for i, row in enumerate(results[0]["rows"]):
        line = f"{row['role']:<9}{row['url']:<38}"
        for j, res in enumerate(results):
            r = res["rows"][i]
            flag = "!" if r["p95"] > 300 else " "
            over[j] += flag == "!"
            status = "" if r["status"] == 200 else f" HTTP {r['status']}"
            line += (f"|        {r['median']:>10.0f} {r['p95']:>6.0f}{flag} {r['queries']:>7} "
                     f"{r['bytes']:>10,}{status} ")
        print(line)
    for j, res in enumerate(results):
        print(f"{res['people']:,} people: {over[j]} of {len(res['rows'])} pages with p95 > 300 ms")
    if len(results) > 1:
        grew = [r["url"] + f" ({r['role']})" for r, s in
                zip(results[0]["rows"], results[-1]["rows"], strict=True)
                if s["queries"] > r["queries"]]
        print("query count grows with data on: " + (", ".join(grew) or "no page"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
