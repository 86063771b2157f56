"""Second-factor pages: verify at sign-in, enroll, manage one's factors, and the
organization's settings and resets (administrators)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.http.request import split_domain_port
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from chorus.common.errors import DomainError
from chorus.common.forms import add_domain_error
from chorus.common.types import AuthedRequest
from chorus.identity.mfa import selectors, services
from chorus.identity.mfa.forms import (
    CodeForm,
    PolicyForm,
    RecoveryForm,
    ResetRequestForm,
    TotpConfirmForm,
)
from chorus.identity.mfa.gate import mark_satisfied, session_satisfied
from chorus.identity.mfa.middleware import NEXT_SESSION_KEY
from chorus.identity.mfa.models import Authenticator
from chorus.people.roles import Role

CHALLENGE_SESSION_KEY = "identity_mfa_webauthn"
NEW_CODES_SESSION_KEY = "identity_mfa_new_codes"
CHALLENGE_SECONDS = 300


def _site(request: AuthedRequest) -> services.WebAuthnSite:
    """The relying party is the host the browser is on (ALLOWED_HOSTS has vetted it)."""
    host = request.get_host()
    domain, _ = split_domain_port(host)
    return services.WebAuthnSite(rp_id=domain.strip("[]"), origin=f"{request.scheme}://{host}")


def _keep_challenge(request: AuthedRequest, purpose: str, challenge: bytes) -> None:
    request.session[CHALLENGE_SESSION_KEY] = {
        "purpose": purpose,
        "challenge": base64.urlsafe_b64encode(challenge).decode(),
        "at": time.time(),
    }


def _take_challenge(request: AuthedRequest, purpose: str) -> bytes | None:
    """The challenge issued for `purpose`, once (it is removed), if not older than 5 min."""
    kept = request.session.pop(CHALLENGE_SESSION_KEY, None)
    if not isinstance(kept, dict) or kept.get("purpose") != purpose:
        return None
    if time.time() - float(kept.get("at", 0)) > CHALLENGE_SECONDS:
        return None
    return base64.urlsafe_b64decode(kept["challenge"])


def _next_url(request: AuthedRequest) -> str:
    url = request.session.pop(NEXT_SESSION_KEY, "") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return str(url)
    return "/"


def _json_body(request: AuthedRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise services.InvalidInput("Send a JSON object.", field="credential")
    return body


def _json_error(exc: DomainError) -> JsonResponse:
    status = exc.status_code if exc.status_code in (404, 409, 429) else 422
    return JsonResponse({"error": exc.message, "field": exc.field}, status=status)


def _may_add_factor(request: AuthedRequest) -> None:
    """Adding a factor needs a session that passed one, or an account without any: a
    password alone must never be enough to add a factor to an account that has one."""
    if not session_satisfied(request) and services.user_has_factor(user=request.user):
        raise DjangoPermissionDenied("Verify your current second factor before adding another.")


def _after_enrollment(request: AuthedRequest, method: str, codes: list[str] | None) -> str:
    if not session_satisfied(request):
        mark_satisfied(request, method)
    if codes:
        request.session[NEW_CODES_SESSION_KEY] = codes
    return "/identity/mfa/setup/done/"


# --- Verify at sign-in ------------------------------------------------------------------------


@login_required
def verify(request: AuthedRequest) -> HttpResponse:
    """The second step of signing in: a code, a passkey or a recovery code."""
    user = request.user
    if session_satisfied(request):
        return redirect(_next_url(request))
    devices = list(selectors.authenticator_list_for(user=user))
    if not devices:
        return redirect("identity:mfa-setup")
    code_form = CodeForm(request.POST if "code" in request.POST else None)
    recovery_form = RecoveryForm(request.POST if "recovery_code" in request.POST else None)
    status = 200
    if request.method == "POST":
        form: CodeForm | RecoveryForm = code_form if code_form.is_bound else recovery_form
        if form.is_valid():
            try:
                if form is code_form:
                    services.totp_verify(user=user, code=form.cleaned_data["code"])
                    method = "totp"
                else:
                    left = services.recovery_code_use(
                        user=user, code=form.cleaned_data["recovery_code"]
                    )
                    method = "recovery"
                    messages.warning(
                        request,
                        f"You signed in with a recovery code; {left} are left. Set up a new "
                        "factor or new codes on your two-factor page if you lost your device.",
                    )
            except DomainError as exc:
                if exc.field == "code" and form is recovery_form:
                    exc.field = "recovery_code"
                add_domain_error(form, exc)
                status = 429 if isinstance(exc, services.TooManyAttempts) else 422
            else:
                mark_satisfied(request, method)
                return redirect(_next_url(request))
        else:
            status = 422
    kinds = {d.kind for d in devices}
    return render(
        request,
        "identity/mfa/verify.html",
        {
            "code_form": code_form,
            "recovery_form": recovery_form,
            "has_totp": Authenticator.Kind.TOTP in kinds,
            "has_passkey": Authenticator.Kind.WEBAUTHN in kinds,
        },
        status=status,
    )


@login_required
@require_POST
def verify_passkey_options(request: AuthedRequest) -> JsonResponse:
    try:
        options, challenge = services.webauthn_authentication_options(
            user=request.user, site=_site(request)
        )
    except DomainError as exc:
        return _json_error(exc)
    _keep_challenge(request, "authenticate", challenge)
    return JsonResponse(json.loads(options))


@login_required
@require_POST
def verify_passkey(request: AuthedRequest) -> JsonResponse:
    try:
        body = _json_body(request)
        services.webauthn_authenticate_complete(
            user=request.user,
            credential=body.get("credential"),
            challenge=_take_challenge(request, "authenticate"),
            site=_site(request),
        )
    except DomainError as exc:
        return _json_error(exc)
    mark_satisfied(request, "webauthn")
    return JsonResponse({"redirect": _next_url(request)})


# --- Enroll ----------------------------------------------------------------------------------


@login_required
def setup(request: AuthedRequest) -> HttpResponse:
    """Choose a factor to add. At sign-in after the grace period this page is the only way
    on; from the account page it adds another factor."""
    _may_add_factor(request)
    gate = services.mfa_gate_for(user=request.user)
    return render(
        request,
        "identity/mfa/setup.html",
        {"gate": gate, "has_factor": services.user_has_factor(user=request.user)},
    )


@login_required
@require_POST
def setup_totp_begin(request: AuthedRequest) -> HttpResponse:
    _may_add_factor(request)
    device, _ = services.totp_enroll_begin(user=request.user)
    return redirect("identity:mfa-setup-totp", authenticator_id=device.pk)


@login_required
def setup_totp(request: AuthedRequest, authenticator_id: int) -> HttpResponse:
    """The QR code (and the key as text) of a pending authenticator app, and the code that
    confirms it."""
    import segno

    _may_add_factor(request)
    try:
        device, secret = services.totp_pending_secret(
            user=request.user, authenticator_id=authenticator_id
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("identity:mfa-setup")
    form = TotpConfirmForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                device, codes = services.totp_enroll_confirm(
                    user=request.user,
                    authenticator_id=device.pk,
                    code=form.cleaned_data["code"],
                    name=form.cleaned_data["name"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
                status = 429 if isinstance(exc, services.TooManyAttempts) else 422
            else:
                messages.success(request, f"“{device.name}” is set up as your second factor.")
                return redirect(_after_enrollment(request, "totp", codes))
        else:
            status = 422
    uri = services.totp_uri(user=request.user, secret=secret)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#111827")
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    response = render(
        request,
        "identity/mfa/setup_totp.html",
        {"form": form, "qr": qr, "secret": grouped, "device": device},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def setup_passkey_options(request: AuthedRequest) -> JsonResponse:
    _may_add_factor(request)
    options, challenge = services.webauthn_registration_options(
        user=request.user, site=_site(request)
    )
    _keep_challenge(request, "register", challenge)
    return JsonResponse(json.loads(options))


@login_required
@require_POST
def setup_passkey(request: AuthedRequest) -> JsonResponse:
    _may_add_factor(request)
    try:
        body = _json_body(request)
        raw_name = body.get("name")
        name = raw_name if isinstance(raw_name, str) else ""
        device, codes = services.webauthn_register_complete(
            user=request.user,
            credential=body.get("credential"),
            challenge=_take_challenge(request, "register"),
            site=_site(request),
            name=name,
        )
    except DomainError as exc:
        return _json_error(exc)
    messages.success(request, f"“{device.name}” is set up as your second factor.")
    return JsonResponse({"redirect": _after_enrollment(request, "webauthn", codes)})


@login_required
@require_GET
def setup_done(request: AuthedRequest) -> HttpResponse:
    """New recovery codes, shown this once (they are removed from the session here)."""
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    response = render(
        request, "identity/mfa/setup_done.html", {"codes": codes, "next": _next_url(request)}
    )
    response["Cache-Control"] = "no-store"
    return response


# --- Manage one's own factors ----------------------------------------------------------------


@login_required
def manage(request: AuthedRequest) -> HttpResponse:
    """Your factors: add, remove, regenerate recovery codes."""
    user = request.user
    codes = None
    if request.method == "POST" and request.POST.get("action") == "regenerate":
        try:
            codes = services.recovery_codes_regenerate(user=user)
            messages.success(request, "New recovery codes made. The old ones no longer work.")
        except DomainError as exc:
            messages.error(request, exc.message)
    response = render(
        request,
        "identity/mfa/manage.html",
        {
            "devices": selectors.authenticator_list_for(user=user),
            "codes_left": services.recovery_codes_left(user=user),
            "required": services.mfa_required_for(user=user),
            "gate": services.mfa_gate_for(user=user),
            "codes": codes,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def remove(request: AuthedRequest, authenticator_id: int) -> HttpResponse:
    try:
        device = services.authenticator_remove(user=request.user, authenticator_id=authenticator_id)
        messages.success(request, f"{device} removed.")
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
    return redirect("identity:mfa-manage")


# --- The organization's rule and resets (administrators) -------------------------------------


def _admin_only(request: AuthedRequest) -> None:
    if request.user.organization_id is None or not request.user.has_role(Role.ADMIN):
        raise DjangoPermissionDenied("Only your organization's administrators can open this page.")


@login_required
def admin(request: AuthedRequest) -> HttpResponse:
    """Admin → Two-factor: the rule, everyone's status, and reset requests."""
    _admin_only(request)
    org = request.user.org
    policy = services.mfa_policy_get(organization=org)
    form = PolicyForm(
        request.POST or None,
        initial={"required_roles": policy.required_roles, "grace_days": policy.grace_days},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.mfa_policy_update(
                    organization=org,
                    actor=request.user,
                    required_roles=form.cleaned_data["required_roles"],
                    grace_days=form.cleaned_data["grace_days"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
                status = 422
            else:
                messages.success(request, "Two-factor rule saved.")
                return redirect("identity:mfa-admin")
        else:
            status = 422
    return render(
        request,
        "identity/mfa/admin.html",
        {
            "form": form,
            "members": selectors.member_status_list_for(user=request.user),
            "resets": selectors.factor_reset_list_for(user=request.user)[:50],
            "reset_form": ResetRequestForm(),
        },
        status=status,
    )


@login_required
@require_POST
def admin_reset_request(request: AuthedRequest, member_id: int) -> HttpResponse:
    _admin_only(request)
    try:
        member = selectors.member_get(user=request.user, member_id=member_id)
    except DomainError as exc:
        raise Http404(exc.message) from None
    form = ResetRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the factor must be reset (up to 300 characters).")
        return redirect("identity:mfa-admin")
    try:
        services.factor_reset_request(
            actor=request.user, subject_id=member.pk, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request,
            f"Reset requested for {member}. Another administrator must approve it; they and "
            f"{member} have been told.",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("identity:mfa-admin")


def _decide(request: AuthedRequest, reset_id: int, approve: bool) -> HttpResponse:
    _admin_only(request)
    try:
        if approve:
            reset = services.factor_reset_approve(actor=request.user, reset_id=reset_id)
            messages.success(
                request,
                f"The factors of {reset.subject} are removed; they set up a new one at their "
                "next sign-in.",
            )
        else:
            reset = services.factor_reset_cancel(actor=request.user, reset_id=reset_id)
            messages.success(request, f"The reset for {reset.subject} is cancelled.")
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
    return redirect("identity:mfa-admin")


@login_required
@require_POST
def admin_reset_approve(request: AuthedRequest, reset_id: int) -> HttpResponse:
    return _decide(request, reset_id, approve=True)


@login_required
@require_POST
def admin_reset_cancel(request: AuthedRequest, reset_id: int) -> HttpResponse:
    return _decide(request, reset_id, approve=False)
