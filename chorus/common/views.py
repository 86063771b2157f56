from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from chorus.common.navigation import cards_for
from chorus.common.types import AuthedRequest


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process is up and answering; no session, no template, no database.

    A liveness probe must not fail because a dependency is down (restarting the web process
    would not help); `/readyz` (chorus.ops) checks the database, cache, queue and migrations."""
    return JsonResponse({"status": "ok"})


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    return render(request, "common/dashboard.html", {"cards": cards_for(request.user)})
