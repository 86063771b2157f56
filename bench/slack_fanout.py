"""Fan-out of one content drop to N people across e-mail and Slack: prints numbers, never asserts.

    PYTHONPATH=. .venv/bin/python bench/slack_fanout.py [--people 10000] [--database-url URL]
        [--cold]

Builds a fresh database (a temporary SQLite file unless --database-url is given) with one
organization of N active people, every one of them a member of the organization's Slack
workspace. Local peers stand in for the outside world, on 127.0.0.1 and ports the OS picks:
a Slack Web API server (`chorus.integrations.tests.servers.FakeSlack`: users.lookupByEmail,
conversations.open, chat.postMessage) and a real SMTP server (aiosmtpd), both in a child
process so their CPU is not counted against the worker.

Then one `notify()` of a content drop to all N people on the kinds' channels (in-app, e-mail,
Slack), after which the deliveries run as background tasks on ONE worker (django-tasks-db's
worker in this process, one task at a time). It prints:

- the time notify() took to record the N notifications and queue 2N deliveries,
- the time one worker (django-tasks-db's `db_worker`) took to run them all,
- the total, against the goal of under 60 seconds for 10,000 people,
- what the peers received (messages at the SMTP server, chat.postMessage calls).

By default people were already matched to Slack members (the steady state: one
chat.postMessage per person); `--cold` starts without matches, so every person also costs
users.lookupByEmail and conversations.open (the first drop after installing).
`--inline` runs each delivery as it is queued (no task queue) to separate the channels' own
cost from the worker's per-task overhead; `--tmpdir /dev/shm` takes fsync out of SQLite.

Reading the numbers: the worker's CPU time per delivery is the figure that does not depend
on how busy the machine is. Measured on 2026-12-03 (2 shared cores, load 9-11): about 21 ms
of worker CPU per delivery (one django-tasks-db task per delivery: claim, delivery_run's
transaction and logging, the channel), of which the Slack channel is about 5 ms and the
e-mail channel about 4 ms (peers included). 10,000 people = 20,000 deliveries = about 7
minutes of one worker's CPU: over the 60 s goal until deliveries are batched (several per
task and per transaction), which is the notification pipeline's design, not a channel's.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _peers(conn, people: int) -> None:  # type: ignore[no-untyped-def]
    """The outside world in its own process, so its CPU and GIL are not the worker's."""
    from chorus.integrations.tests.servers import FakeSlack
    from chorus.notifications.testing import smtp_server

    with FakeSlack() as slack, smtp_server(keep=False) as smtp:
        for i in range(people):
            slack.add_member(f"person{i}@fanout.example", f"U{i:08d}")
        conn.send((slack.url, smtp.host, smtp.port))
        conn.recv()  # "stats"
        conn.send({"smtp": smtp.count,
                   **{m: len(slack.method_calls(m)) for m in (
                       "chat.postMessage", "users.lookupByEmail", "conversations.open")}})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--tmpdir", default="",
                        help="where the SQLite file goes (e.g. /dev/shm: no fsync cost)")
    parser.add_argument("--inline", action="store_true",
                        help="run each delivery as it is queued (no task queue): the channels' "
                             "own cost, without the worker's per-task overhead")
    parser.add_argument("--cold", action="store_true",
                        help="no stored Slack matches: look every person up first")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="chorus-fanout-", dir=args.tmpdir or None)
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["TASK_BACKEND"] = "immediate" if args.inline else "database"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.conf import settings
    from django.core.management import call_command

    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[1]}; "
          f"people: {args.people:,}; Slack matches stored: {not args.cold}")
    call_command("migrate", verbosity=0)

    from chorus.integrations.crypto import encrypt
    from chorus.integrations.models import SlackInstallation, SlackUserLink
    from chorus.integrations.tests.servers import FakeSlack
    from chorus.notifications.kinds import EMAIL, IN_APP, NotificationKind, register_kind
    from chorus.notifications.models import Delivery
    from chorus.notifications.services import notify
    from chorus.people.models import Organization, User
    from chorus.people.services import organization_create

    drop = register_kind(NotificationKind(
        "bench.content_published", "New content to share (benchmark)",
        default_channels=(IN_APP, EMAIL, "slack")))

    organization = organization_create(name="Fanout Robotics", jurisdictions=["US"])
    started = time.perf_counter()
    User.objects.bulk_create([
        User(email=f"person{i}@fanout.example", full_name=f"Person {i}",
             organization=organization, is_active=True, password="!")
        for i in range(args.people)
    ], batch_size=2000)
    people = list(User.objects.filter(organization=organization).order_by("pk"))
    print(f"setup: {len(people):,} accounts in {time.perf_counter() - started:.1f} s")

    import multiprocessing

    parent, child = multiprocessing.Pipe()
    peers = multiprocessing.get_context("fork").Process(target=_peers, args=(child, args.people),
                                                        daemon=True)
    peers.start()
    slack_url, smtp_host, smtp_port = parent.recv()
    try:
        settings.SLACK_API_URL = f"{slack_url}/api/"
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_host, smtp_port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        installation = SlackInstallation.objects.create(
            organization=organization, team_id="T0NORTHWIND", team_name="Fanout",
            bot_token_encrypted=encrypt(FakeSlack.BOT_TOKEN), drop_channel="")
        if not args.cold:
            SlackUserLink.objects.bulk_create([
                SlackUserLink(organization=organization, installation=installation, user=user,
                              slack_user_id=f"U{i:08d}", dm_channel=f"DU{i:08d}")
                for i, user in enumerate(people)
            ], batch_size=2000)
        Organization.objects.filter(pk=organization.pk).update()  # nothing cached

        from django.db import transaction

        started = time.perf_counter()
        with transaction.atomic():
            notify(kind=drop.key, recipients=people, organization=organization,
                   title="New to share: our Lisbon lab is open",
                   body="A new lab for field robotics. Share it with your network.",
                   link="/advocacy/")
        queued = time.perf_counter() - started
        deliveries = Delivery.objects.filter(notification__organization=organization)
        print(f"notify(): {len(people):,} notifications, {deliveries.count():,} deliveries "
              f"{'queued and delivered inline' if args.inline else 'queued'} in {queued:.1f} s")

        # One worker: django-tasks-db's own worker, in this process, until the queue is empty.
        started, cpu = time.perf_counter(), time.process_time()
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        if not args.inline:
            call_command("db_worker", batch=True, no_startup_delay=True, interval=0.05,
                         verbosity=0)
        if os.environ.get("BENCH_PROFILE"):
            profiler.disable()
            pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_PROFILE", "cumulative")).print_stats(30)
        worked, cpu = time.perf_counter() - started, time.process_time() - cpu

        statuses = dict.fromkeys(Delivery.Status.values, 0)
        for status in deliveries.values_list("status", flat=True):
            statuses[status] += 1
        done = sum(statuses.values()) - statuses["pending"]
        print(f"worker (one db_worker): {done:,} deliveries in {worked:.1f} s "
              f"({done / worked:,.0f}/s; {cpu:.1f} s of CPU in the worker process)")
        for channel in ("email", "slack"):
            sent = deliveries.filter(channel=channel, status="sent").count()
            print(f"  {channel}: {sent:,} sent")
        print(f"  outcomes: { {k: v for k, v in statuses.items() if v} }")
        parent.send("stats")
        got = parent.recv()
        print(f"peers (own process): SMTP received {got['smtp']:,} messages; Slack got "
              f"{got['chat.postMessage']:,} chat.postMessage, "
              f"{got['users.lookupByEmail']:,} users.lookupByEmail, "
              f"{got['conversations.open']:,} conversations.open")
        total = queued + worked
        verdict = "under" if total < 60 else "OVER"
        print(f"TOTAL fan-out of one drop to {len(people):,} people: {total:.1f} s "
              f"({verdict} the 60 s goal)")
    finally:
        peers.terminate()


if __name__ == "__main__":
    main()
