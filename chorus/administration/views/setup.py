"""The first-run wizard (organization, starting policy, first administrator) and the setup
checklist. The wizard only answers while the installation has no organization."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from chorus.administration import services
from chorus.administration.forms import SetupAdminForm, SetupOrganizationForm, SetupPolicyForm
from chorus.administration.selectors import checklist_for
from chorus.administration.services.organizations import (
    clean_domains,
    clean_jurisdictions,
    clean_language,
    clean_name,
    clean_timezone,
)
from chorus.administration.views.base import _admin_only
from chorus.common.errors import DomainError, InvalidInput
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest

SESSION_KEY = "chorus.setup"
STEPS = [
    ("organization", "Organization"),
    ("policy", "Starting policy"),
    ("admin", "Administrator"),
]


def _steps(current: str) -> list[dict[str, Any]]:
    keys = [k for k, _ in STEPS if k != "policy" or apps.is_installed("chorus.policy")]
    index = keys.index(current)
    return [
        {"label": label, "current": key == current, "done": keys.index(key) < index, "n": i + 1}
        for i, (key, label) in enumerate((k, dict(STEPS)[k]) for k in keys)
    ]


def _closed(request: HttpRequest) -> HttpResponse | None:
    if services.installation_is_set_up():
        request.session.pop(SESSION_KEY, None)
        messages.info(request, "Chorus is already set up on this installation. Sign in.")
        return redirect("login")
    return None


def _state(request: HttpRequest) -> dict[str, Any]:
    return dict(request.session.get(SESSION_KEY) or {})


@never_cache
def setup_organization(request: HttpRequest) -> HttpResponse:
    if (closed := _closed(request)) is not None:
        return closed
    state = _state(request)
    code_required = settings.CHORUS_SETUP_CODE_REQUIRED
    form = SetupOrganizationForm(
        request.POST or None,
        code_required=code_required,
        initial=state.get("organization") or {"timezone": "UTC", "language": "en"},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if code_required and not services.setup_code_matches(d["setup_code"]):
                raise InvalidInput(
                    "That is not this server's setup code. Run `chorus init --setup-code` on "
                    "the server and copy what it prints.",
                    field="setup_code",
                )
            organization = {
                "name": clean_name(d["name"]),
                "verified_domains": "\n".join(clean_domains(d["verified_domains"])),
                "jurisdictions": ", ".join(clean_jurisdictions(d["jurisdictions"])),
                "timezone": clean_timezone(d["timezone"]),
                "language": clean_language(d["language"]),
            }
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            state.update(organization=organization, code_ok=True)
            request.session[SESSION_KEY] = state
            if apps.is_installed("chorus.policy"):
                return redirect("administration-public:setup-policy")
            return redirect("administration-public:setup-admin")
    return render(
        request,
        "administration/setup_organization.html",
        {"form": form, "steps": _steps("organization")},
    )


@never_cache
def setup_policy(request: HttpRequest) -> HttpResponse:
    if (closed := _closed(request)) is not None:
        return closed
    state = _state(request)
    if not state.get("code_ok"):
        return redirect("administration-public:setup")
    from chorus.policy.presets import preset_choices

    form = SetupPolicyForm(
        request.POST or None, initial={"preset": state.get("preset", "balanced")}
    )
    if request.method == "POST" and form.is_valid():
        state["preset"] = form.cleaned_data["preset"]
        request.session[SESSION_KEY] = state
        return redirect("administration-public:setup-admin")
    return render(
        request,
        "administration/setup_policy.html",
        {
            "form": form,
            "presets": preset_choices(),
            "steps": _steps("policy"),
            "selected": form["preset"].value() or "balanced",
        },
    )


@never_cache
def setup_admin(request: HttpRequest) -> HttpResponse:
    if (closed := _closed(request)) is not None:
        return closed
    state = _state(request)
    if not state.get("code_ok") or "organization" not in state:
        return redirect("administration-public:setup")
    form = SetupAdminForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = services.organization_setup(
                **state["organization"],
                admin_email=d["admin_email"],
                admin_name=d["admin_name"],
                admin_password=d["password1"],
                preset=state.get("preset") if apps.is_installed("chorus.policy") else None,
                first_run=True,
                method="wizard",
            )
        except DomainError as exc:
            if exc.field in {"admin_password"}:
                form.add_error("password1", exc.message)
            elif exc.field in {"admin_email", "admin_name"}:
                form.add_error(exc.field, exc.message)
            else:
                form.add_error(None, exc.message)
        else:
            request.session.pop(SESSION_KEY, None)
            assert result.admin is not None
            login(request, result.admin, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                f"{result.organization.name} is set up and you are its administrator. "
                "Here is what to do next.",
            )
            return redirect("administration:checklist")
    return render(
        request,
        "administration/setup_admin.html",
        {
            "form": form,
            "steps": _steps("admin"),
            "organization": state["organization"],
            "preset": state.get("preset"),
        },
    )


@login_required
def checklist(request: AuthedRequest) -> HttpResponse:
    _admin_only(request)
    items = checklist_for(organization=request.user.org)
    return render(
        request,
        "administration/checklist.html",
        {"items": items, "done": sum(i.done for i in items), "total": len(items)},
    )
