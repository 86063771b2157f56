"""Second factors: enrollment, verification, the organization's rule and factor resets.

Guarantees every caller can rely on:
- every write is audited inside its transaction, and no secret (seed, code, key) is ever in
  the audit data;
- wrong, expired and replayed codes are refused with a message that says which, and every
  refused attempt is counted and audited: after `AXES_FAILURE_LIMIT` refusals in
  `AXES_COOLOFF_MINUTES` the account can try no factor at all until the window ends (the same
  limit django-axes puts on passwords), so a second factor cannot be guessed;
- a factor reset needs two different administrators, neither of them the person concerned.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pyotp
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from chorus.identity.mfa.crypto import decrypt_secret, encrypt_secret
from chorus.identity.mfa.models import (
    MAX_GRACE_DAYS,
    Authenticator,
    FactorResetRequest,
    MfaPolicy,
    MfaUserState,
    RecoveryCode,
)
from chorus.people.models import User
from chorus.people.roles import Role

RECOVERY_CODE_COUNT = 10
# 10 characters of a 32-letter alphabet: 50 random bits per code, against at most
# AXES_FAILURE_LIMIT guesses per cool-off window.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10
TOTP_ISSUER = "Chorus"
# Codes one step either side of now are accepted (phones whose clock is a little off);
# codes up to this many steps old are refused as "expired" rather than "wrong".
TOTP_VALID_WINDOW = 1
TOTP_EXPIRED_STEPS = 20
RESET_REQUEST_HOURS = 72
WEBAUTHN_TIMEOUT_MS = 120_000
NAME_MAX = 60


class TooManyAttempts(DomainError):
    """The account refused too many second-factor attempts; it must wait."""

    status_code = 429


# --- The organization's rule ---------------------------------------------------------------


def mfa_policy_get(*, organization: Any) -> MfaPolicy:
    """The organization's rule, created with the defaults (admin, HR and legal; 7 days)."""
    return _policy_for(organization.pk)


def _policy_for(organization_id: int) -> MfaPolicy:
    policy, _ = MfaPolicy.objects.get_or_create(organization_id=organization_id)
    return policy


@transaction.atomic
def mfa_policy_update(
    *, organization: Any, actor: User, required_roles: list[str], grace_days: int
) -> MfaPolicy:
    """Set which roles must use a second factor and the grace period (0 to 90 days)."""
    if not actor.has_role(Role.ADMIN) or actor.organization_id != organization.pk:
        raise PermissionDenied("Only your organization's administrators can change this rule.")
    unknown = sorted(set(required_roles) - set(Role.values))
    if unknown:
        raise InvalidInput(
            f"Unknown role {', '.join(unknown)}: choose from {', '.join(Role.values)}.",
            field="required_roles",
        )
    if not isinstance(grace_days, int) or not 0 <= grace_days <= MAX_GRACE_DAYS:
        raise InvalidInput(
            f"The grace period is a whole number of days from 0 to {MAX_GRACE_DAYS}.",
            field="grace_days",
        )
    policy = MfaPolicy.objects.select_for_update().get(
        pk=mfa_policy_get(organization=organization).pk
    )
    old = {"required_roles": policy.required_roles, "grace_days": policy.grace_days}
    policy.required_roles = [r for r in Role.values if r in set(required_roles)]
    policy.grace_days = grace_days
    policy.save(update_fields=["required_roles", "grace_days", "updated_at"])
    audit_record(
        organization=organization,
        actor=actor,
        action="identity.mfa_policy_updated",
        target=policy,
        data={
            "from": old,
            "to": {"required_roles": policy.required_roles, "grace_days": grace_days},
        },
    )
    return policy


# --- What a signed-in session must do --------------------------------------------------------


@dataclass(frozen=True)
class Gate:
    """What the second-factor middleware does with a session that has not passed a factor.

    `verify`: the account has a factor, so it must use it. `enroll`: the rule applies and the
    grace period is over, so it must enroll one now. `grace`: the rule applies, a factor is
    not yet needed (`deadline` says until when). `open`: no factor, no rule.
    """

    state: str
    deadline: datetime | None = None

    OPEN = "open"
    GRACE = "grace"
    ENROLL = "enroll"
    VERIFY = "verify"

    @property
    def blocks(self) -> bool:
        return self.state in (self.VERIFY, self.ENROLL)


def mfa_required_for(*, user: User, policy: MfaPolicy | None = None) -> bool:
    """True when one of the user's roles is in the organization's rule (admins hold every
    role, so a rule naming any role applies to them)."""
    if user.organization_id is None:
        return False
    policy = policy or _policy_for(user.organization_id)
    return any(user.has_role(role) for role in policy.required_roles)


def user_has_factor(*, user: User) -> bool:
    return Authenticator.objects.filter(user=user, confirmed_at__isnull=False).exists()


def mfa_gate_for(*, user: User, now: datetime | None = None) -> Gate:
    """Decide what a session of `user` that has not passed a factor must do. Starts the
    grace period the first time the rule is found to apply to an account without a factor."""
    now = now or timezone.now()
    if user_has_factor(user=user):
        return Gate(Gate.VERIFY)
    if user.organization_id is None:
        return Gate(Gate.OPEN)
    policy = _policy_for(user.organization_id)
    if not mfa_required_for(user=user, policy=policy):
        return Gate(Gate.OPEN)
    state, _ = MfaUserState.objects.get_or_create(
        user=user, defaults={"organization_id": user.organization_id, "grace_started_at": now}
    )
    if state.grace_started_at is None:
        state.grace_started_at = now
        state.save(update_fields=["grace_started_at", "updated_at"])
    deadline = state.grace_started_at + timedelta(days=policy.grace_days)
    return Gate(Gate.GRACE if now < deadline else Gate.ENROLL, deadline)


# --- Attempts: counted, limited, audited -----------------------------------------------------


def _failure_key(user: User) -> str:
    return f"identity:mfa:failures:{user.pk}"


def _cooloff_seconds() -> int:
    return max(60, int(float(settings.AXES_COOLOFF_TIME) * 3600))


def _ensure_not_locked(user: User) -> None:
    if int(cache.get(_failure_key(user), 0)) >= settings.AXES_FAILURE_LIMIT:
        minutes = _cooloff_seconds() // 60
        raise TooManyAttempts(
            f"Too many wrong attempts. Wait {minutes} minutes and try again, or ask an "
            "administrator to reset your second factor if you lost it.",
            field="code",
        )


def _refuse(user: User, *, method: str, reason: str, message: str) -> None:
    """Count and audit a refused attempt (in its own transaction, so it stays recorded),
    then raise the error the person sees."""
    key = _failure_key(user)
    cache.add(key, 0, timeout=_cooloff_seconds())
    try:
        count = int(cache.incr(key))
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=_cooloff_seconds())
        count = 1
    with transaction.atomic():
        audit_record(
            organization=user.org,
            actor=user,
            action="identity.mfa_failed",
            target=user,
            data={"method": method, "reason": reason, "attempt": count},
        )
        if count == settings.AXES_FAILURE_LIMIT:
            audit_record(
                organization=user.org,
                actor=user,
                action="identity.mfa_locked",
                target=user,
                data={"minutes": _cooloff_seconds() // 60},
            )
    raise InvalidInput(message, field="code")


def _succeeded(user: User, *, method: str, authenticator: Authenticator | None) -> None:
    cache.delete(_failure_key(user))
    audit_record(
        organization=user.org,
        actor=user,
        action="identity.mfa_verified",
        target=authenticator or user,
        data={"method": method},
    )


def _clean_name(name: str, default: str) -> str:
    name = " ".join((name or "").split())
    if len(name) > NAME_MAX:
        raise InvalidInput(f"Keep the name under {NAME_MAX} characters.", field="name")
    return name or default


def _notify(user: User, *, kind: str, title: str, body: str) -> None:
    from chorus.notifications.services import notify

    notify(
        kind=kind,
        recipients=[user],
        organization=user.org,
        title=title,
        body=body,
        link="/identity/mfa/",
    )


def _after_first_factor(user: User) -> list[str] | None:
    """The first factor of an account ends its grace period and comes with recovery codes."""
    MfaUserState.objects.filter(user=user).update(grace_started_at=None, updated_at=timezone.now())
    if RecoveryCode.objects.filter(user=user, used_at__isnull=True).exists():
        return None
    return _issue_recovery_codes(user)


# --- TOTP ------------------------------------------------------------------------------------


def _normalize_totp(code: str) -> str:
    digits = "".join((code or "").split()).replace("-", "")
    if len(digits) != 6 or not digits.isdigit():
        raise InvalidInput(
            "Enter the 6-digit code your authenticator app shows (digits only).", field="code"
        )
    return digits


def totp_uri(*, user: User, secret: str) -> str:
    """The otpauth:// URI the QR code carries (issuer Chorus, the account's e-mail)."""
    issuer = f"{TOTP_ISSUER} ({user.org.name})" if user.organization_id else TOTP_ISSUER
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


@transaction.atomic
def totp_enroll_begin(*, user: User) -> tuple[Authenticator, str]:
    """Start adding an authenticator app: a fresh seed, stored encrypted, not yet counted as
    a factor. An earlier unfinished attempt is discarded. Returns the device and the seed
    (shown once as a QR code and as text)."""
    Authenticator.objects.filter(
        user=user, kind=Authenticator.Kind.TOTP, confirmed_at__isnull=True
    ).delete()
    secret = pyotp.random_base32()
    device = Authenticator.objects.create(
        organization_id=user.org_id,
        user=user,
        kind=Authenticator.Kind.TOTP,
        name="Authenticator app",
        totp_secret_encrypted=encrypt_secret(secret),
    )
    audit_record(
        organization=user.org, actor=user, action="identity.totp_enroll_started", target=device
    )
    return device, secret


def totp_pending_secret(*, user: User, authenticator_id: int) -> tuple[Authenticator, str]:
    device = Authenticator.objects.filter(
        pk=authenticator_id, user=user, kind=Authenticator.Kind.TOTP, confirmed_at__isnull=True
    ).first()
    if device is None:
        raise NotFound("That setup is no longer open. Start again to get a new QR code.")
    return device, decrypt_secret(device.totp_secret_encrypted)


def _totp_step(secret: str, code: str, now: datetime) -> tuple[str, int]:
    """("ok", step) for a code of the accepted window, ("expired", step) for an older one,
    ("wrong", -1) otherwise. Comparisons are constant-time."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for offset in range(-TOTP_VALID_WINDOW, TOTP_VALID_WINDOW + 1):
        step = current + offset
        if hmac.compare_digest(totp.generate_otp(step), code):
            return "ok", step
    for step in range(current - TOTP_EXPIRED_STEPS, current - TOTP_VALID_WINDOW):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return "expired", step
    return "wrong", -1


_EXPIRED_MESSAGE = "That code has expired. Type the code your app shows now."
_REPLAYED_MESSAGE = (
    "That code was already used. Wait for the next code in your app (a new one appears "
    "every 30 seconds) and type that."
)


def totp_enroll_confirm(
    *, user: User, authenticator_id: int, code: str, name: str = ""
) -> tuple[Authenticator, list[str] | None]:
    """Finish adding an authenticator app with a code from it. Returns the device and, for
    the account's first factor, its recovery codes (shown once)."""
    _ensure_not_locked(user)
    digits = _normalize_totp(code)
    label = _clean_name(name, "Authenticator app")
    device, secret = totp_pending_secret(user=user, authenticator_id=authenticator_id)
    result, step = _totp_step(secret, digits, timezone.now())
    if result == "expired":
        _refuse(user, method="totp_enroll", reason="expired", message=_EXPIRED_MESSAGE)
    if result == "wrong":
        _refuse(
            user,
            method="totp_enroll",
            reason="wrong",
            message="That code does not match the QR code. Check that your phone sets its "
            "clock automatically, then type the current code.",
        )
    with transaction.atomic():
        device = Authenticator.objects.select_for_update().get(pk=device.pk)
        if device.confirmed_at is not None:
            raise Conflict("This authenticator app is already set up.")
        now = timezone.now()
        device.name, device.confirmed_at, device.last_used_at = label, now, now
        device.totp_last_counter = step
        device.save(
            update_fields=[
                "name",
                "confirmed_at",
                "last_used_at",
                "totp_last_counter",
                "updated_at",
            ]
        )
        codes = _after_first_factor(user)
        cache.delete(_failure_key(user))
        audit_record(
            organization=user.org,
            actor=user,
            action="identity.factor_added",
            target=device,
            data={"kind": device.kind, "name": device.name, "recovery_codes_issued": bool(codes)},
        )
        _notify(
            user,
            kind="identity.factor_added",
            title="An authenticator app was added to your Chorus account",
            body=f"“{device.name}” now works as your second factor. If this was not you, "
            "tell your administrator at once.",
        )
    return device, codes


def totp_verify(*, user: User, code: str) -> Authenticator:
    """Check a code against the account's authenticator apps. A code is accepted once: a
    code of the same or an earlier time step than the last accepted one is refused."""
    _ensure_not_locked(user)
    digits = _normalize_totp(code)
    now = timezone.now()
    devices = list(
        Authenticator.objects.filter(
            user=user, kind=Authenticator.Kind.TOTP, confirmed_at__isnull=False
        )
    )
    if not devices:
        raise InvalidInput(
            "You have no authenticator app set up; use another factor.", field="code"
        )
    outcome = "wrong"
    for device in devices:
        try:
            secret = decrypt_secret(device.totp_secret_encrypted)
        except ValueError:
            continue
        result, step = _totp_step(secret, digits, now)
        if result == "ok":
            with transaction.atomic():
                locked = Authenticator.objects.select_for_update().get(pk=device.pk)
                if locked.totp_last_counter is not None and step <= locked.totp_last_counter:
                    outcome = "replayed"
                    continue
                locked.totp_last_counter, locked.last_used_at = step, now
                locked.save(update_fields=["totp_last_counter", "last_used_at", "updated_at"])
                _succeeded(user, method="totp", authenticator=locked)
            return locked
        if result == "expired" and outcome == "wrong":
            outcome = "expired"
    messages = {
        "replayed": _REPLAYED_MESSAGE,
        "expired": _EXPIRED_MESSAGE,
        "wrong": "That code is not right. Type the code your authenticator app shows now "
        "(check that your phone sets its clock automatically).",
    }
    _refuse(user, method="totp", reason=outcome, message=messages[outcome])
    raise AssertionError("unreachable")  # _refuse always raises


# --- Recovery codes --------------------------------------------------------------------------


def _digest(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def _normalize_recovery(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _format_recovery(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}"


def _issue_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        salt = secrets.token_hex(16)
        RecoveryCode.objects.create(
            organization_id=user.org_id, user=user, salt=salt, code_hash=_digest(salt, raw)
        )
        codes.append(_format_recovery(raw))
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Replace every recovery code of the account (old ones stop working). Needs a factor:
    codes are a way back to a factor, not a factor of their own."""
    if not user_has_factor(user=user):
        raise Conflict("Add an authenticator app or a passkey first; recovery codes come with it.")
    codes = _issue_recovery_codes(user)
    audit_record(
        organization=user.org,
        actor=user,
        action="identity.recovery_codes_regenerated",
        target=user,
        data={"count": len(codes)},
    )
    return codes


def recovery_codes_left(*, user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def recovery_code_use(*, user: User, code: str) -> int:
    """Accept one unused recovery code (each works once). Returns how many are left; the
    person is told a code was used."""
    _ensure_not_locked(user)
    normalized = _normalize_recovery(code)
    if len(normalized) != _RECOVERY_LENGTH:
        raise InvalidInput(
            "A recovery code has 10 letters and digits, like abcde-12345.", field="code"
        )
    matched: RecoveryCode | None = None
    with transaction.atomic():
        for row in RecoveryCode.objects.select_for_update().filter(user=user):
            if hmac.compare_digest(row.code_hash, _digest(row.salt, normalized)):
                matched = row
                break
        if matched is not None and matched.used_at is None:
            matched.used_at = timezone.now()
            matched.save(update_fields=["used_at", "updated_at"])
            left = recovery_codes_left(user=user)
            _succeeded(user, method="recovery", authenticator=None)
            _notify(
                user,
                kind="identity.recovery_code_used",
                title="A recovery code was used to sign in to your Chorus account",
                body=f"{left} recovery codes are left. If this was not you, tell your "
                "administrator at once.",
            )
            return left
    if matched is not None:
        _refuse(
            user,
            method="recovery",
            reason="used",
            message="That recovery code was already used. Each code works once; try another.",
        )
    _refuse(
        user,
        method="recovery",
        reason="wrong",
        message="That is not one of your recovery codes. Check it and try again.",
    )
    raise AssertionError("unreachable")


# --- WebAuthn passkeys -----------------------------------------------------------------------


@dataclass(frozen=True)
class WebAuthnSite:
    """The relying party as the browser sees it: the host name and the origin."""

    rp_id: str
    origin: str
    rp_name: str = "Chorus"


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    out = []
    for device in Authenticator.objects.filter(
        user=user, kind=Authenticator.Kind.WEBAUTHN, confirmed_at__isnull=False
    ):
        transports = []
        for t in device.transports:
            try:
                transports.append(AuthenticatorTransport(t))
            except ValueError:
                continue
        out.append(
            PublicKeyCredentialDescriptor(
                id=_b64decode(device.credential_id), transports=transports or None
            )
        )
    return out


def _b64decode(value: str) -> bytes:
    from webauthn.helpers import base64url_to_bytes

    return base64url_to_bytes(value)


def webauthn_registration_options(*, user: User, site: WebAuthnSite) -> tuple[str, bytes]:
    """Options for navigator.credentials.create() (JSON) and the challenge to keep in the
    session. The account's existing passkeys are excluded, so one is not added twice."""
    options = generate_registration_options(
        rp_id=site.rp_id,
        rp_name=site.rp_name,
        user_name=user.email,
        user_id=f"chorus-user-{user.pk}".encode(),
        user_display_name=user.full_name or user.email,
        timeout=WEBAUTHN_TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(user),
    )
    return options_to_json(options), options.challenge


def webauthn_register_complete(
    *, user: User, credential: Any, challenge: bytes | None, site: WebAuthnSite, name: str = ""
) -> tuple[Authenticator, list[str] | None]:
    """Verify the browser's attestation (challenge, origin, RP id, user presence) and store
    the passkey's public key. Returns it and, for a first factor, the recovery codes."""
    label = _clean_name(name, "Passkey")
    if not challenge:
        raise InvalidInput(
            "This passkey request expired. Press “Add a passkey” again.", field="credential"
        )
    if not isinstance(credential, dict):
        raise InvalidInput(
            "The browser's passkey answer was not accepted (it is not a JSON object). Try again.",
            field="credential",
        )
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=site.rp_id,
            expected_origin=site.origin,
            require_user_presence=True,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise InvalidInput(
            f"The browser's passkey answer was not accepted ({exc}). Try again.",
            field="credential",
        ) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    with transaction.atomic():
        if Authenticator.objects.filter(credential_id=credential_id).exists():
            raise Conflict("This passkey is already registered.")
        transports = []
        if isinstance(credential, dict):
            raw = credential.get("response", {}).get("transports") or []
            transports = [t for t in raw if isinstance(t, str)][:6]
        now = timezone.now()
        device = Authenticator.objects.create(
            organization_id=user.org_id,
            user=user,
            kind=Authenticator.Kind.WEBAUTHN,
            name=label,
            confirmed_at=now,
            last_used_at=now,
            credential_id=credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=transports,
            aaguid=verified.aaguid,
        )
        codes = _after_first_factor(user)
        cache.delete(_failure_key(user))
        audit_record(
            organization=user.org,
            actor=user,
            action="identity.factor_added",
            target=device,
            data={"kind": device.kind, "name": device.name, "recovery_codes_issued": bool(codes)},
        )
        _notify(
            user,
            kind="identity.factor_added",
            title="A passkey was added to your Chorus account",
            body=f"“{device.name}” now works as your second factor. If this was not you, "
            "tell your administrator at once.",
        )
    return device, codes


def webauthn_authentication_options(*, user: User, site: WebAuthnSite) -> tuple[str, bytes]:
    """Options for navigator.credentials.get() limited to the account's passkeys."""
    allowed = _descriptors(user)
    if not allowed:
        raise InvalidInput("You have no passkey set up; use another factor.", field="credential")
    options = generate_authentication_options(
        rp_id=site.rp_id,
        timeout=WEBAUTHN_TIMEOUT_MS,
        allow_credentials=allowed,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json(options), options.challenge


def webauthn_authenticate_complete(
    *, user: User, credential: Any, challenge: bytes | None, site: WebAuthnSite
) -> Authenticator:
    """Verify a passkey assertion of one of the account's own passkeys. A signature counter
    that goes backwards (a cloned authenticator) is refused."""
    _ensure_not_locked(user)
    if not challenge:
        raise InvalidInput("This passkey request expired. Press the button again.", field="code")
    raw_id = credential.get("id") if isinstance(credential, dict) else None
    device = None
    if isinstance(raw_id, str) and raw_id:
        device = Authenticator.objects.filter(
            user=user,
            kind=Authenticator.Kind.WEBAUTHN,
            credential_id=raw_id,
            confirmed_at__isnull=False,
        ).first()
    if device is None:
        _refuse(
            user,
            method="webauthn",
            reason="unknown_credential",
            message="That passkey is not registered to your account. Use one you added to Chorus.",
        )
        raise AssertionError("unreachable")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=site.rp_id,
            expected_origin=site.origin,
            credential_public_key=bytes(device.public_key),
            credential_current_sign_count=device.sign_count,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError, AttributeError) as exc:
        _refuse(
            user,
            method="webauthn",
            reason="invalid",
            message=f"The passkey's answer was not accepted ({exc}). Try again.",
        )
        raise AssertionError("unreachable") from None
    with transaction.atomic():
        device = Authenticator.objects.select_for_update().get(pk=device.pk)
        device.sign_count, device.last_used_at = verified.new_sign_count, timezone.now()
        device.save(update_fields=["sign_count", "last_used_at", "updated_at"])
        _succeeded(user, method="webauthn", authenticator=device)
    return device


# --- Managing one's own factors ---------------------------------------------------------------


@transaction.atomic
def authenticator_remove(*, user: User, authenticator_id: int) -> Authenticator:
    """Remove one of the user's own factors. The last one cannot be removed while the rule
    applies to the account; with the last one gone the recovery codes go too."""
    device = Authenticator.objects.filter(
        pk=authenticator_id, user=user, confirmed_at__isnull=False
    ).first()
    if device is None:
        raise NotFound("That factor does not exist.")
    others = Authenticator.objects.filter(user=user, confirmed_at__isnull=False).exclude(
        pk=device.pk
    )
    if not others.exists() and mfa_required_for(user=user):
        raise Conflict(
            "Your organization requires a second factor for your role. Add another one "
            "before you remove this one."
        )
    device_id, label, kind = device.pk, str(device), device.kind
    device.delete()
    codes_removed = 0
    if not others.exists():
        codes_removed, _ = RecoveryCode.objects.filter(user=user).delete()
    audit_record(
        organization=user.org,
        actor=user,
        action="identity.factor_removed",
        target=user,
        data={
            "authenticator": device_id,
            "label": label,
            "kind": kind,
            "recovery_codes_removed": codes_removed,
        },
    )
    device.pk = device_id
    return device


# --- Resetting a lost factor: two administrators ---------------------------------------------


def _admin_of(actor: User, organization_id: int) -> None:
    if actor.organization_id != organization_id or not actor.has_role(Role.ADMIN):
        raise PermissionDenied("Only your organization's administrators can reset factors.")


def _admins(organization_id: int, *, exclude: set[int]) -> list[User]:
    return list(
        User.objects.filter(
            organization_id=organization_id, is_active=True, groups__name=Role.ADMIN
        )
        .exclude(pk__in=exclude)
        .distinct()
    )


@transaction.atomic
def factor_reset_request(*, actor: User, subject_id: int, reason: str) -> FactorResetRequest:
    """An administrator asks to remove every factor of a person who lost theirs. The other
    administrators are asked to approve; the person is told."""
    _admin_of(actor, actor.org_id)
    subject = User.objects.filter(pk=subject_id, organization_id=actor.org_id).first()
    if subject is None:
        raise NotFound("That person does not exist.")
    if subject.pk == actor.pk:
        raise Conflict(
            "You cannot request a reset of your own factors. Manage them on your account "
            "page, or ask another administrator."
        )
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise InvalidInput(
            "Say why the factor must be reset (for example how the person proved who they are).",
            field="reason",
        )
    if len(reason) > 300:
        raise InvalidInput("Keep the reason under 300 characters.", field="reason")
    if not Authenticator.objects.filter(user=subject, confirmed_at__isnull=False).exists():
        raise Conflict(f"{subject} has no second factor to reset.")
    _expire_stale(subject)
    if FactorResetRequest.objects.filter(
        subject=subject, status=FactorResetRequest.Status.PENDING
    ).exists():
        raise Conflict(f"A reset for {subject} is already waiting for approval.")
    approvers = _admins(actor.org_id, exclude={actor.pk, subject.pk})
    if not approvers:
        raise Conflict(
            "A reset needs a second administrator to approve it, and there is none. Make "
            "another person an administrator first."
        )
    reset = FactorResetRequest.objects.create(
        organization_id=actor.org_id,
        subject=subject,
        requested_by=actor,
        reason=reason,
        expires_at=timezone.now() + timedelta(hours=RESET_REQUEST_HOURS),
    )
    audit_record(
        organization=actor.org,
        actor=actor,
        action="identity.factor_reset_requested",
        target=reset,
        data={"subject": subject.email, "reason": reason},
    )
    from chorus.notifications.services import notify

    notify(
        kind="identity.factor_reset_requested",
        recipients=approvers,
        organization=actor.org,
        title=f"{actor} asks to reset the second factor of {subject}",
        body=f"Reason: {reason}. A second administrator must approve it.",
        link="/identity/mfa/admin/",
    )
    _notify(
        subject,
        kind="identity.factor_reset_requested",
        title="An administrator asked to reset your Chorus second factor",
        body=f"{actor} asked for it ({reason}). Once another administrator approves, your "
        "authenticator apps, passkeys and recovery codes stop working and you set up a new "
        "factor at your next sign-in. If you did not ask for this, tell them at once.",
    )
    return reset


def _expire_stale(subject: User) -> None:
    FactorResetRequest.objects.filter(
        subject=subject, status=FactorResetRequest.Status.PENDING, expires_at__lte=timezone.now()
    ).update(status=FactorResetRequest.Status.CANCELLED, updated_at=timezone.now())


def _pending_reset(actor: User, reset_id: int) -> FactorResetRequest:
    reset = (
        FactorResetRequest.objects.select_for_update()
        .filter(pk=reset_id, organization_id=actor.org_id)
        .first()
    )
    if reset is None:
        raise NotFound("That reset request does not exist.")
    if reset.status != FactorResetRequest.Status.PENDING:
        raise Conflict(f"This request is already {reset.get_status_display().lower()}.")
    return reset


def _remove_all_factors(subject: User) -> tuple[int, int]:
    """Every factor and recovery code of `subject` goes, and every session of theirs ends."""
    removed, _ = Authenticator.objects.filter(user=subject).delete()
    codes, _ = RecoveryCode.objects.filter(user=subject).delete()
    User.objects.filter(pk=subject.pk).update(session_epoch=F("session_epoch") + 1)
    return removed, codes


@transaction.atomic
def factor_reset_by_operator(*, subject: User, reason: str) -> tuple[int, int]:
    """Break glass for the platform operator (`manage.py mfa_reset`, shell access to the
    server): an organization whose only administrator lost every factor has no second
    administrator to approve a reset. Audited in the organization's trail as done by the
    operator, with the reason; the person is told."""
    reason = " ".join((reason or "").split())
    if len(reason) < 5 or len(reason) > 300:
        raise InvalidInput("Give the reason in 5 to 300 characters.", field="reason")
    if subject.organization_id is None:
        raise InvalidInput("This account belongs to no organization.", field="email")
    removed, codes = _remove_all_factors(subject)
    audit_record(
        organization=subject.org,
        actor=None,
        action="identity.factor_reset_by_operator",
        target=subject,
        data={
            "subject": subject.email,
            "reason": reason,
            "factors_removed": removed,
            "recovery_codes_removed": codes,
        },
    )
    _notify(
        subject,
        kind="identity.factor_reset",
        title="Your Chorus second factor was reset by the platform operator",
        body=f"Reason: {reason}. Your old authenticator apps, passkeys and recovery codes no "
        "longer work, and you were signed out everywhere. Set up a new factor when you next "
        "sign in.",
    )
    return removed, codes


@transaction.atomic
def factor_reset_approve(*, actor: User, reset_id: int) -> FactorResetRequest:
    """A second administrator approves: every factor and recovery code of the person is
    removed and their sessions end; they enroll again at their next sign-in."""
    _admin_of(actor, actor.org_id)
    reset = _pending_reset(actor, reset_id)
    if reset.requested_by_id == actor.pk:
        raise PermissionDenied(
            "You requested this reset, so another administrator must approve it."
        )
    if reset.subject_id == actor.pk:
        raise PermissionDenied("A reset of your own factors must be approved by someone else.")
    now = timezone.now()
    if reset.expires_at <= now:
        reset.status, reset.decided_at = FactorResetRequest.Status.CANCELLED, now
        reset.save(update_fields=["status", "decided_at", "updated_at"])
        audit_record(
            organization=actor.org,
            actor=actor,
            action="identity.factor_reset_expired",
            target=reset,
            data={"subject": reset.subject.email},
        )
        raise Conflict("This request expired. Ask for a new reset if it is still needed.")
    subject = reset.subject
    removed, codes = _remove_all_factors(subject)
    reset.status, reset.decided_by, reset.decided_at = (
        FactorResetRequest.Status.APPROVED,
        actor,
        now,
    )
    reset.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(
        organization=actor.org,
        actor=actor,
        action="identity.factor_reset_approved",
        target=reset,
        data={
            "subject": subject.email,
            "requested_by": reset.requested_by.email,
            "factors_removed": removed,
            "recovery_codes_removed": codes,
        },
    )
    _notify(
        subject,
        kind="identity.factor_reset",
        title="Your Chorus second factor was reset",
        body=f"Approved by {actor} after a request by {reset.requested_by}. Your old "
        "authenticator apps, passkeys and recovery codes no longer work, and you were signed "
        "out everywhere. Set up a new factor when you next sign in.",
    )
    return reset


@transaction.atomic
def factor_reset_cancel(*, actor: User, reset_id: int) -> FactorResetRequest:
    """Any administrator may cancel (or decline) a pending reset; nothing is removed."""
    _admin_of(actor, actor.org_id)
    reset = _pending_reset(actor, reset_id)
    reset.status = FactorResetRequest.Status.CANCELLED
    reset.decided_by, reset.decided_at = actor, timezone.now()
    reset.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(
        organization=actor.org,
        actor=actor,
        action="identity.factor_reset_cancelled",
        target=reset,
        data={"subject": reset.subject.email},
    )
    _notify(
        reset.subject,
        kind="identity.factor_reset",
        title="The reset of your Chorus second factor was cancelled",
        body=f"{actor} cancelled it. Your factors keep working.",
    )
    return reset
