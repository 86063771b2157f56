"""Jetstream consumer throughput and lag: prints numbers, never asserts.

    .venv/bin/python bench/monitoring_stream.py [--events 20000] [--rate 500] [--quick]

The real Jetstream capture (152 events of 2026-07-04, read in place from $CHORUS_DATA, default
/work/shared/data; the trimmed fixture otherwise) is repeated with fresh record keys until
`--events` post events exist. Every DID in it is linked (with consent) to an employee of one
organization, so **every event is a post that is screened with the real engine and written to
the database** — the worst case; the real subscription also sees only the linked accounts.

Three figures, the consumer pinned to one core (the replay server runs in its own process):

1. direct: frames fed straight into `JetstreamConsumer.handle_batch` (no socket) — the
   consumer's own ceiling, events/s in CPU and wall time.
2. socket, unpaced: a local WebSocket replay server sends as fast as the consumer reads
   (`JetstreamConsumer.run`): end-to-end events/s including WebSocket framing.
3. socket, paced at `--rate` events/s (default 500, the target): p50/p99 lag between the
   server stamping `time_us` on send and the consumer committing the event (queueing lag
   included). Keeping up means the p99 stays small and flat instead of growing.

The database is a fresh SQLite file (WAL) under /tmp; the task backend is inline (alerts'
e-mails go to the in-memory backend). Target: >= 500 events/s on one core.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("CHORUS_DATA", "/work/shared/data"))
CAPTURE = DATA / "connectors/bluesky/jetstream_v1_window_2026-07-04.jsonl"
FALLBACK = ROOT / "chorus/connectors/bluesky/fixtures/jetstream_v1_window_trimmed.jsonl"


def load_capture() -> list[dict]:
    path = CAPTURE if CAPTURE.exists() else FALLBACK
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def post_events(capture: list[dict], count: int) -> list[dict]:
    """Post commits of the capture, repeated with fresh rkeys and increasing time_us."""
    posts = [e for e in capture if e.get("commit", {}).get("collection") == "app.bsky.feed.post"]
    span = max(e["time_us"] for e in capture) - min(e["time_us"] for e in capture) + 1
    events, rep = [], 0
    while len(events) < count:
        for event in posts:
            commit = {**event["commit"], "rkey": f"{event['commit']['rkey']}r{rep}"}
            events.append({**event, "time_us": event["time_us"] + rep * span, "commit": commit})
            if len(events) == count:
                break
        rep += 1
    return events


def serve(events: list[dict], rate: float | None, ready: multiprocessing.Queue,
          stop: multiprocessing.Event) -> None:
    from chorus.connectors.bluesky.replay import JetstreamReplayServer

    with JetstreamReplayServer(events, rate=rate, stamp_now=True) as server:
        ready.put(server.url)
        stop.wait()


def setup_django(db_path: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["TASK_BACKEND"] = "immediate"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def link_everyone(dids: set[str]) -> None:
    from chorus.connectors.base import override_connector
    from chorus.connectors.fake.adapter import FakeConnector
    from chorus.monitoring.consent import CONSENT_VERSION
    from chorus.monitoring.models import LinkedAccount, Network
    from chorus.monitoring.services import account_link, settings_update
    from chorus.people.services import organization_create, person_create, user_create

    org = organization_create(name="Bench Robotics", jurisdictions=["US"])
    admin = user_create(organization=org, email="admin@bench.example", full_name="Admin",
                        password=None, roles=["admin"])
    settings_update(organization=org, actor=admin, enabled_networks=["bluesky"],
                    alert_threshold="medium", retention_days=30, escalate_after=3)
    fake = FakeConnector()
    with override_connector(Network.BLUESKY, fake):
        for n, did in enumerate(sorted(dids)):
            user = user_create(organization=org, email=f"e{n}@bench.example",
                               full_name=f"Employee {n}", password=None)
            person_create(organization=org, full_name=user.full_name, email=user.email, user=user)
            fake.add_account(did, external_id=did)
            account_link(user=user, network=Network.BLUESKY, handle=did, agreed=True,
                         consent_version=CONSENT_VERSION)
    from datetime import UTC, datetime

    LinkedAccount.objects.update(read_from=datetime(2026, 1, 1, tzinfo=UTC))


def reset_posts() -> None:
    from chorus.monitoring.models import IngestedPost, MonitoringAlert, StreamCursor

    MonitoringAlert.objects.all().delete()
    IngestedPost.objects.all().delete()
    StreamCursor.objects.all().delete()


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--quick", action="store_true", help="3,000 events, paced run 10 s")
    args = parser.parse_args()
    total = 3_000 if args.quick else args.events
    paced_count = int(args.rate * (10 if args.quick else 30))

    events = post_events(load_capture(), max(total, paced_count))
    db = Path(tempfile.mkdtemp(prefix="chorus-bench-")) / "stream.sqlite3"
    setup_django(str(db))
    link_everyone({e["did"] for e in events})
    from chorus.monitoring.models import IngestedPost
    from chorus.monitoring.stream import JetstreamConsumer

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    print(f"load average {os.getloadavg()[0]:.2f}; {len({e['did'] for e in events})} linked "
          f"DIDs; every event is a post (screened + stored)")

    # 1. direct feed into the handler, in batches like the socket loop
    frames = [json.dumps(e, separators=(",", ":")) for e in events[:total]]
    consumer = JetstreamConsumer(base_url="ws://unused", cursor_name="bench-direct")
    wall, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(frames), 200):
        consumer.handle_batch(frames[start:start + 200])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    stored = IngestedPost.objects.count()
    print(f"direct:   {total} events in {wall:.2f}s wall / {cpu:.2f}s CPU = "
          f"{total / wall:,.0f} events/s wall, {total / cpu:,.0f} events/s CPU "
          f"({stored} posts stored, {consumer.stats.alerts} alerts)")

    # 2 and 3. through a WebSocket replay server in another process
    ctx = multiprocessing.get_context("fork")
    for label, rate, count in (("unpaced", None, total), (f"paced {args.rate:.0f}/s", args.rate,
                                                          paced_count)):
        reset_posts()
        ready, stop = ctx.Queue(), ctx.Event()
        proc = ctx.Process(target=serve, args=(events[:count], rate, ready, stop), daemon=True)
        proc.start()
        url = ready.get(timeout=30)
        consumer = JetstreamConsumer(base_url=url, cursor_name=f"bench-{label}",
                                     record_lag=True)
        wall = time.perf_counter()
        consumer.run(max_events=count, idle_exit=5.0)
        wall = time.perf_counter() - wall
        stop.set()
        proc.join(timeout=10)
        lags_ms = [lag / 1000 for lag in consumer.stats.lags_us]
        line = (f"socket {label}: {consumer.stats.events} events in {wall:.2f}s = "
                f"{consumer.stats.events / wall:,.0f} events/s")
        if lags_ms:
            line += f"; lag p50 {pct(lags_ms, 50):.1f} ms, p99 {pct(lags_ms, 99):.1f} ms"
        print(line)


if __name__ == "__main__":
    main()
