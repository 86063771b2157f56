from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from chorus.common.devmail import read_mailbox
from chorus.common.navigation import cards_for
from chorus.common.types import AuthedRequest
from chorus.people.roles import Role


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
