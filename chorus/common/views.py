from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from chorus.common.navigation import cards_for
from chorus.common.types import AuthedRequest


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers; no session, no template."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    return render(request, "common/dashboard.html", {"cards": cards_for(request.user)})


@csrf_exempt
def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any /api/ URL that no route matches (for example a negative id) is a JSON 404, like the
    API's own errors, instead of the HTML page."""
    return JsonResponse(
        {"detail": f"No API endpoint at {request.path}. See /api/v1/docs for the endpoints."},
        status=404,
    )
