"""gunicorn settings for Chorus (`gunicorn -c deploy/gunicorn.conf.py config.wsgi`).

Every value can be changed through the environment; docs/production.md explains the choices.
"""

import multiprocessing
import os
import shutil
from pathlib import Path


def _env(name: str, default: str) -> str:
    """The variable, or `default` when it is unset or empty (as Chorus's settings do)."""
    return os.environ.get(name) or default


bind = _env("GUNICORN_BIND", "127.0.0.1:8000")
# Chorus is mostly waiting on the database: two workers per core plus one is the usual start.
workers = int(_env("GUNICORN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(_env("GUNICORN_THREADS", "1"))
timeout = int(_env("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then so a slow leak never becomes an outage.
max_requests = int(_env("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# The reverse proxy's address: only it may set X-Forwarded-For / -Proto (see BEHIND_PROXY).
forwarded_allow_ips = _env("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Chorus writes its own access line per request, with the request id (chorus.request).
accesslog = None
errorlog = "-"


def on_starting(server):  # type: ignore[no-untyped-def]
    """Start with an empty Prometheus multiprocess directory (stale files would add up)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
