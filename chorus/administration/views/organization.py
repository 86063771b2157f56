"""Admin → Organization: name, logo, time zone, language, jurisdictions, sender, domains."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from chorus.administration import services
from chorus.administration.forms import OrganizationForm
from chorus.administration.views.base import _admin_only
from chorus.common.errors import DomainError
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest


def _initial(org) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "name": org.name,
        "verified_domains": "\n".join(org.verified_domains or []),
        "jurisdictions": ", ".join(org.jurisdictions or []),
        "timezone": org.timezone,
        "language": org.language,
        "email_sender": org.email_sender,
    }


@login_required
def organization(request: AuthedRequest) -> HttpResponse:
    _admin_only(request)
    org = request.user.org
    form = OrganizationForm(request.POST or None, request.FILES or None, initial=_initial(org))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            # Settings and logo together: a bad logo leaves the settings untouched too.
            with transaction.atomic():
                services.organization_update(
                    organization=org,
                    actor=request.user,
                    values={k: d[k] for k in services.SETTINGS_FIELDS},
                )
                if d["logo"]:
                    services.organization_set_logo(
                        organization=org, actor=request.user, upload=d["logo"]
                    )
                elif d["remove_logo"]:
                    services.organization_set_logo(
                        organization=org, actor=request.user, upload=None
                    )
        except DomainError as exc:
            org.refresh_from_db()
            add_domain_error(form, exc)
        else:
            messages.success(request, "Organization settings saved.")
            return redirect("administration:organization")
    return render(
        request,
        "administration/organization.html",
        {"form": form, "org": org},
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
@require_GET
def organization_logo(request: AuthedRequest) -> FileResponse:
    """The member's own organization's logo (never another's; never from MEDIA_URL)."""
    org = request.user.org
    if not org.logo:
        raise Http404("This organization has no logo.")
    response = FileResponse(org.logo.open("rb"), content_type=org.logo_content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response
