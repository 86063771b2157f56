"""The attestation evidence register and its export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render

from chorus.common.errors import DomainError
from chorus.common.types import AuthedRequest
from chorus.onboarding import selectors, services
from chorus.onboarding.views.base import _hr_only


@login_required
def evidence(request: AuthedRequest) -> HttpResponse | StreamingHttpResponse:
    _hr_only(request)
    user = request.user
    records = selectors.attestation_list_for(user=user).order_by("-attested_at", "-pk")
    fmt = request.GET.get("format")
    if fmt:
        try:
            body, content_type, filename = services.attestations_export(
                organization=user.org, actor=user, fmt=fmt,
                attestations=records)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("onboarding:evidence")
        response = StreamingHttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    page = Paginator(records.defer("text_shown"), 50).get_page(request.GET.get("page"))
    return render(request, "onboarding/evidence.html", {"page": page})
