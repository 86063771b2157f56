from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from chorus.common.devmail import read_mailbox
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
from chorus.people.roles import Role


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


@csrf_exempt
def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any /api/ URL that no route matches (for example a negative id) is a JSON 404, like the
    API's own errors, instead of the HTML page."""
    return JsonResponse(
        {"detail": f"No API endpoint at {request.path}. See /api/v1/docs for the endpoints."},
        status=404,
    )


@login_required
@require_GET
def dev_mailbox(request: AuthedRequest) -> HttpResponse:
    """Development only: the e-mails written to EMAIL_FILE_PATH, for administrators."""
    if not settings.DEBUG or not settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        raise Http404("The dev mailbox exists only with DEBUG and the file e-mail backend.")
    if not request.user.has_role(Role.ADMIN):
        raise PermissionDenied("Only administrators can read the dev mailbox.")
    mails = read_mailbox(Path(settings.EMAIL_FILE_PATH))
    return render(request, "common/dev_mailbox.html", {"mails": mails})


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The language switcher: saved on the profile when signed in, else in the session and a
    cookie. Returns to the page it came from (same site only)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    from chorus.common.middleware import LANGUAGE_SESSION_KEY, supported_language

    code = supported_language(request.POST.get("language"))
    if code is None:
        messages.error(request, _("Unknown language: choose one from the list."))
        code = ""
    back = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    response = redirect(back)
    if not code:
        return response
    user = request.user
    if user.is_authenticated:
        user.language = code  # type: ignore[union-attr]
        user.save(update_fields=["language"])
    request.session[LANGUAGE_SESSION_KEY] = code
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response
