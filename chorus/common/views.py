from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from chorus.common.errors import DomainError, NotFound
from chorus.common.navigation import cards_for
from chorus.common.taskqueue import (
    can_manage_tasks,
    lease_seconds,
    max_attempts,
    task_discard,
    task_problem_list,
    task_retry,
)
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


def _require_admin(request: AuthedRequest) -> None:
    if not can_manage_tasks(request.user):
        raise PermissionDenied


@login_required
@require_GET
def task_problems(request: AuthedRequest) -> HttpResponse:
    """Platform page for administrators: failed tasks and tasks re-queued after a lost worker."""
    _require_admin(request)
    return render(
        request,
        "common/task_problems.html",
        {
            "problems": task_problem_list(),
            "backend": settings.TASK_BACKEND,
            "max_attempts": max_attempts(),
            "lease_seconds": lease_seconds(),
        },
    )


@login_required
@require_POST
def task_problem_act(request: AuthedRequest, task_id: str, action: str) -> HttpResponse:
    _require_admin(request)
    service = {"retry": task_retry, "discard": task_discard}[action]
    try:
        problem = service(task_id=task_id, actor=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        done = "put back in the queue" if action == "retry" else "discarded; it will not run"
        messages.success(request, f"Task {problem.name} was {done}.")
    return redirect("common:task-problems")
