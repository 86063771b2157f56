"""Unauthenticated operations endpoints: `/readyz` for load balancers and `/metrics` for
Prometheus (protected by METRICS_TOKEN and/or METRICS_ALLOWED_IPS, see chorus.ops.metrics)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from chorus.ops.health import readiness
from chorus.ops.metrics import metrics_access_problem, render_metrics


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 with every check when ready for traffic, 503 (same body) when any check fails."""
    results = readiness()
    ready = all(r.ok for r in results.values())
    body = {
        "status": "ready" if ready else "not_ready",
        "checks": {name: result.to_dict() for name, result in results.items()},
    }
    return JsonResponse(body, status=200 if ready else 503)


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    problem = metrics_access_problem(request)
    if problem is not None:
        status, reason = problem
        response = HttpResponse(reason + "\n", status=status, content_type="text/plain")
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(render_metrics(), content_type="text/plain; version=0.0.4; charset=utf-8")
