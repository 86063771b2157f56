"""The `/metrics` exposition: process metrics plus Chorus's own, read at scrape time.

Database-backed values are computed when Prometheus scrapes, so every web worker reports the
same numbers and nothing has to be kept in sync:

- `chorus_task_queue_depth{queue}` and `chorus_task_oldest_age_seconds{queue}`: tasks waiting
  to run (database backend: `django_tasks_db` rows that are READY and due; rq: the queue's
  length and its oldest job's enqueue time).
- `chorus_tasks_failed{queue}`: failed task results currently recorded (database: FAILED rows;
  rq: the failed-job registry). A gauge, since old results are pruned.
- `chorus_connector_lag_seconds{network}`: for monitoring's active linked accounts, the largest
  time since an account was last read (since consent when never read); archive uploads are not
  polled and are left out. `chorus_connector_accounts{network,status}` counts the accounts.
- `chorus_reports_sla_breached`: undecided reports past their SLA (`due_at`), all organizations.
- `chorus_metrics_source_up{source}`: 0 when a source could not be read at this scrape.

Measured in-process (`chorus.common.metrics`): `chorus_screening_seconds` and the HTTP request
metrics. Access is checked by `metrics_access_problem` (METRICS_TOKEN, METRICS_ALLOWED_IPS).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Min
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)


def _age(then: datetime | None, now: datetime) -> float:
    return max(0.0, (now - then).total_seconds()) if then else 0.0


class ChorusCollector(Collector):
    """Reads queue, connector and SLA state from the database (and Redis for rq)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "chorus_metrics_source_up",
            "1 if the source could be read at this scrape, else 0.",
            labels=["source"],
        )
        for source, reader in (
            ("tasks", self._tasks),
            ("monitoring", self._connectors),
            ("reports", self._reports),
        ):
            try:
                yield from reader()
                up.add_metric([source], 1)
            except Exception:  # one broken source must not hide the others
                logger.exception("metrics: could not read %s", source)
                up.add_metric([source], 0)
        yield up

    def _tasks(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily(
            "chorus_task_queue_depth", "Tasks waiting to run.", labels=["queue"]
        )
        age = GaugeMetricFamily(
            "chorus_task_oldest_age_seconds",
            "Age of the oldest task waiting to run (0 when none wait).",
            labels=["queue"],
        )
        failed = GaugeMetricFamily(
            "chorus_tasks_failed", "Failed task results currently recorded.", labels=["queue"]
        )
        now = timezone.now()
        backend = settings.TASK_BACKEND
        if backend == "database":
            from django_tasks_db.models import DBTaskResult

            waiting = {
                row["queue_name"]: row
                for row in DBTaskResult.objects.ready()
                .order_by()
                .values("queue_name")
                .annotate(n=Count("pk"), oldest=Min("enqueued_at"))
            }
            failures = dict(
                DBTaskResult.objects.failed()
                .order_by()
                .values("queue_name")
                .annotate(n=Count("pk"))
                .values_list("queue_name", "n")
            )
            for queue in sorted(set(settings.TASKS["default"]["QUEUES"]) | set(waiting)):
                row = waiting.get(queue)
                depth.add_metric([queue], row["n"] if row else 0)
                age.add_metric([queue], _age(row["oldest"], now) if row else 0.0)
                failed.add_metric([queue], failures.get(queue, 0))
        elif backend == "rq":
            import django_rq
            from rq.registry import FailedJobRegistry

            for queue_name in settings.RQ_QUEUES:
                rq_queue = django_rq.get_queue(queue_name)
                depth.add_metric([queue_name], rq_queue.count)
                job_ids = rq_queue.get_job_ids(0, 0)
                job = rq_queue.fetch_job(job_ids[0]) if job_ids else None
                enqueued = job.enqueued_at if job else None
                if enqueued is not None and timezone.is_naive(enqueued):
                    enqueued = timezone.make_aware(enqueued, UTC)
                age.add_metric([queue_name], _age(enqueued, now))
                failed.add_metric(
                    [queue_name],
                    FailedJobRegistry(queue=rq_queue).count,  # type: ignore[no-untyped-call]
                )
        yield from (depth, age, failed)

    def _connectors(self) -> Iterator[GaugeMetricFamily]:
        if not apps.is_installed("chorus.monitoring"):
            return
        from chorus.monitoring.models import ARCHIVE_NETWORKS, LinkedAccount

        now = timezone.now()
        lag = GaugeMetricFamily(
            "chorus_connector_lag_seconds",
            "Largest time since an active linked account of this network was last read.",
            labels=["network"],
        )
        counts = GaugeMetricFamily(
            "chorus_connector_accounts",
            "Linked accounts by network and status.",
            labels=["network", "status"],
        )
        for row in (
            LinkedAccount.objects.order_by().values("network", "status").annotate(n=Count("pk"))
        ):
            counts.add_metric([row["network"], row["status"]], row["n"])
        oldest = (
            LinkedAccount.objects.filter(status=LinkedAccount.Status.ACTIVE)
            .exclude(network__in=ARCHIVE_NETWORKS)
            .order_by()
            .values("network")
            .annotate(oldest=Min(Coalesce("last_read_at", "consented_at")))
        )
        for lagging in oldest:
            lag.add_metric([lagging["network"]], _age(lagging["oldest"], now))
        yield from (lag, counts)

    def _reports(self) -> Iterator[GaugeMetricFamily]:
        if not apps.is_installed("chorus.reports"):
            return
        from chorus.reports.models import Report

        breached = Report.objects.filter(
            status__in=[Report.Status.NEW, Report.Status.TRIAGING], due_at__lt=timezone.now()
        ).aggregate(n=Count("pk"))
        metric = GaugeMetricFamily(
            "chorus_reports_sla_breached",
            "Undecided reports past their SLA, across organizations.",
        )
        metric.add_metric([], breached["n"])
        yield metric


def render_metrics() -> bytes:
    """The text exposition: process metrics (added up over gunicorn workers when
    `PROMETHEUS_MULTIPROC_DIR` is set) followed by the database-backed Chorus metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        process_registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(process_registry)  # type: ignore[no-untyped-call]
        base = generate_latest(process_registry)
    else:
        base = generate_latest(REGISTRY)
    chorus_registry = CollectorRegistry()
    chorus_registry.register(ChorusCollector())
    return base + generate_latest(chorus_registry)


def _client_ip_allowed(ip: str, allowed: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for entry in allowed:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            logger.warning("METRICS_ALLOWED_IPS: %r is not an address or network", entry)
    return False


def metrics_access_problem(request: HttpRequest) -> tuple[int, str] | None:
    """None when the scraper may read `/metrics`, else (status, reason).

    Each configured protection must pass: with `METRICS_TOKEN` the request carries
    `Authorization: Bearer <token>`; with `METRICS_ALLOWED_IPS` (addresses or networks) the
    connecting address (`REMOTE_ADDR`, never a forwarded header) is in the list. With neither
    set, metrics are off: nothing about the installation is shown to an anonymous caller."""
    token: str = settings.METRICS_TOKEN
    allowed: list[str] = settings.METRICS_ALLOWED_IPS
    if not token and not allowed:
        return 404, "Metrics are off. Set METRICS_TOKEN and/or METRICS_ALLOWED_IPS to enable them."
    if allowed and not _client_ip_allowed(request.META.get("REMOTE_ADDR", ""), allowed):
        return 403, "This address may not read metrics (METRICS_ALLOWED_IPS)."
    if token:
        header: Any = request.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip(), token):
            return 401, "Send Authorization: Bearer <METRICS_TOKEN>."
    return None
