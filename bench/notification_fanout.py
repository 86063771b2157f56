"""Fan-out of one content drop: prints numbers, never asserts.

    .venv/bin/python bench/notification_fanout.py [--people 10000]

Builds a fresh SQLite database (WAL) with one organization and `--people` employees, approves
one content item, and measures the path production takes on ONE worker process (the
django-tasks database backend, `db_worker --batch`, which exits when the queue is empty):

1. `content_drop_notify_task`: one task picks the audience and calls notify(), which writes a
   Notification and a Delivery per person and enqueues one delivery task each;
2. the delivery tasks: each renders the recipient's e-mail (text and HTML, language, zone,
   one-click unsubscribe) and sends it over a kept SMTP session to a local aiosmtpd server
   started by this script (it only counts what arrives).

It prints the time to fan out, the time until the SMTP server had every message, and the rate.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="chorus-fanout-"))
    from chorus.notifications.testing import smtp_server

    with smtp_server(keep=False) as smtp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "TASK_BACKEND": "database",
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + "x" * 60,
            "ALLOWED_HOSTS": "localhost",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": smtp.host,
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_URL": "",
            "PYTHONPATH": str(ROOT),
        }
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        item_id = _seed(args.people)
        from django.db import connection

        connection.close()

        manage = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--batch",
                  "--no-startup-delay", "--interval", "0.05"]
        from chorus.advocacy.tasks import content_drop_notify_task

        start = time.perf_counter()
        content_drop_notify_task.enqueue(item_id=item_id)
        worker = subprocess.Popen(manage, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        fanned_out = None
        from chorus.notifications.models import Delivery

        while worker.poll() is None:
            time.sleep(0.2)
            if fanned_out is None and Delivery.objects.count() >= args.people:
                fanned_out = time.perf_counter() - start
            if smtp.count >= args.people:
                break
        delivered = time.perf_counter() - start
        worker.wait(timeout=60)
        sent = Delivery.objects.filter(status=Delivery.Status.SENT).count()
        print(f"people: {args.people}")
        print(f"fan-out (notifications and deliveries written): {fanned_out or delivered:.1f} s")
        print(f"all e-mails at the SMTP server: {delivered:.1f} s "
              f"({smtp.count} received, {sent} deliveries marked sent)")
        print(f"rate: {smtp.count / delivered:.0f} e-mails/s on one worker")
    return 0


def _seed(people: int) -> int:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from chorus.advocacy.models import ContentItem
    from chorus.people.models import Person, User
    from chorus.people.services import organization_create, user_create

    org = organization_create(name="Fanout Inc", jurisdictions=["US"])
    author = user_create(organization=org, email="comms@fanout.example", full_name="Comms Author",
                         password="bench-password-123456", roles=["communications"])
    password = make_password("bench-password-123456")
    users = User.objects.bulk_create([
        User(email=f"p{i}@fanout.example", full_name=f"Person {i}", organization=org,
             password=password) for i in range(people)
    ], batch_size=2000)  # fmt: skip
    Person.objects.bulk_create([
        Person(organization=org, full_name=u.full_name, email=u.email, user=u)
        for u in users
    ], batch_size=2000)  # fmt: skip
    item = ContentItem.objects.create(
        organization=org, title="Our spring launch", slug="spring-launch",
        body="Two captions ready to share.", author=author,
        status=ContentItem.Status.APPROVED, approved_at=timezone.now(),
    )
    return item.pk


if __name__ == "__main__":
    raise SystemExit(main())
