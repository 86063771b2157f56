"""Process-level Prometheus metrics that any app may update (infrastructure, no domain rules).

Values that live in the database (queue depth, SLA breaches, connector lag) are not kept here:
`chorus.ops.metrics` reads them at scrape time, so every web worker reports the same numbers.
What is defined here is measured in the process that does the work (a histogram of screening
time, request counts). Under gunicorn with several workers set `PROMETHEUS_MULTIPROC_DIR`
so the workers' values are added up (docs/production.md).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

SCREENING_SECONDS = Histogram(
    "chorus_screening_seconds",
    "Time to screen one text against an organization's policy (checks.services.screen_text).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
HTTP_REQUESTS = Counter(
    "chorus_http_requests",
    "HTTP requests answered, by method and status code.",
    ["method", "status"],
)
HTTP_SECONDS = Histogram(
    "chorus_http_request_seconds",
    "Time to answer an HTTP request, by method.",
    ["method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
