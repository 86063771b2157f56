"""Creating an organization with its first administrator: the first-run wizard, `chorus init`
(both only on an empty installation) and `chorus org create` (the platform operator)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.crypto import constant_time_compare, salted_hmac

from chorus.administration.models import Installation, Invitation
from chorus.administration.services.invitations import invitation_create
from chorus.administration.services.organizations import (
    _refuse_claimed,
    clean_domains,
    clean_jurisdictions,
    clean_language,
    clean_name,
    clean_timezone,
)
from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput
from chorus.people.models import Organization, User
from chorus.people.roles import Role
from chorus.people.services import organization_create, person_create, user_create

PRESETS = ("strict", "balanced", "loose")


@dataclass
class SetupResult:
    organization: Organization
    admin: User | None
    invitation: Invitation | None
    policy_version: object | None


# Called with the SetupResult after the setup committed. The identity app registers here to
# start two-factor enrollment for the first administrator once second factors exist.
SETUP_HOOKS: list[Callable[[SetupResult], None]] = []


def register_setup_hook(fn: Callable[[SetupResult], None]) -> None:
    if fn not in SETUP_HOOKS:
        SETUP_HOOKS.append(fn)


def setup_code() -> str:
    """The code the web wizard asks for when CHORUS_SETUP_CODE_REQUIRED is on. Derived from
    SECRET_KEY, so only someone who can run `chorus init --setup-code` on the server knows it."""
    raw = salted_hmac("chorus.administration.setup-code", "first-run").hexdigest()[:12].upper()
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def setup_code_matches(code: str) -> bool:
    return constant_time_compare(code.strip().upper().replace(" ", ""), setup_code())


def installation_is_set_up() -> bool:
    """True once any organization exists (including the demo): the wizard is closed for good."""
    return Organization.objects.exists() or Installation.objects.exists()


def clean_admin(*, email: str, full_name: str, password: str | None) -> tuple[str, str]:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(f"“{email}” is not an e-mail address.", field="admin_email") from None
    if User.objects.filter(email__iexact=email).exists():
        raise InvalidInput(
            f"An account for {email} already exists on this installation.", field="admin_email"
        )
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise InvalidInput("Enter the administrator's name.", field="admin_name")
    if password is not None:
        try:
            validate_password(password, user=User(email=email, full_name=full_name))
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages), field="admin_password") from None
    return email, full_name


@transaction.atomic
def organization_setup(
    *,
    name: str,
    verified_domains: Iterable[str] | str,
    jurisdictions: Iterable[str] | str,
    timezone: str,
    language: str,
    admin_email: str,
    admin_name: str,
    admin_password: str | None,
    preset: str | None,
    first_run: bool,
    method: str,
) -> SetupResult:
    """Create an organization, its first administrator and (optionally) a draft policy from
    a preset, all or nothing.

    `first_run=True` (wizard, `chorus init`) works only on an empty installation and records
    the installation row whose fixed key makes a second, concurrent setup fail: nobody can
    take over an installation that already has an organization. `first_run=False` is the
    platform operator adding another organization. Without `admin_password` the first
    administrator gets an invitation link instead of an account.
    """
    name = clean_name(name)
    domains = clean_domains(verified_domains)
    codes = clean_jurisdictions(jurisdictions)
    tz = clean_timezone(timezone)
    lang = clean_language(language)
    if preset is not None and preset not in PRESETS:
        raise InvalidInput(f"Choose a policy preset: {', '.join(PRESETS)}.", field="preset")
    email, full_name = clean_admin(email=admin_email, full_name=admin_name, password=admin_password)
    if preset is not None and admin_password is None:
        raise InvalidInput(
            "A starting policy is written by the first administrator, who has no account yet. "
            "Give a password, or leave the preset out: the administrator picks one on the "
            "Policies page after accepting the invitation.",
            field="preset",
        )
    if first_run:
        if installation_is_set_up():
            raise Conflict(
                "Chorus is already set up on this installation. Sign in, or ask the platform "
                "operator to add an organization with `chorus org create`."
            )
        try:
            with transaction.atomic():
                installation = Installation.objects.create(pk=1, method=method)
        except IntegrityError:
            raise Conflict("Chorus was set up a moment ago by someone else. Sign in.") from None
    _refuse_claimed(domains, None)
    org = organization_create(name=name, jurisdictions=codes)
    org.timezone, org.language, org.verified_domains = tz, lang, domains
    org.save(update_fields=["timezone", "language", "verified_domains", "updated_at"])
    if first_run:
        installation.organization = org
        installation.save(update_fields=["organization"])
    admin: User | None = None
    invitation: Invitation | None = None
    if admin_password is not None:
        admin = user_create(
            organization=org,
            email=email,
            full_name=full_name,
            password=admin_password,
            roles=[Role.ADMIN, Role.EMPLOYEE],
        )
        person_create(organization=org, full_name=full_name, email=email, user=admin)
    else:
        # The domain rule applies to invitations, but the first administrator may be an
        # outside IT provider, so it is checked before the domains are stored.
        saved, org.verified_domains = org.verified_domains, []
        invitation = invitation_create(
            organization=org,
            actor=None,
            email=email,
            full_name=full_name,
            roles=[Role.ADMIN, Role.EMPLOYEE],
            source="cli",
        )
        org.verified_domains = saved
    audit_record(
        organization=org,
        actor=admin,
        action="organization.created",
        target=org,
        data={
            "method": method,
            "jurisdictions": codes,
            "verified_domains": domains,
            "timezone": tz,
            "language": lang,
            "administrator": email,
            "preset": preset,
        },
    )
    version = None
    if preset is not None and apps.is_installed("chorus.policy"):
        from chorus.policy.presets import PRESET_INFO
        from chorus.policy.services import policy_create_from_preset

        assert admin is not None  # checked above: a preset needs the administrator's account
        version = policy_create_from_preset(
            organization=org,
            actor=admin,
            preset=preset,
            title=PRESET_INFO[preset].document_title,
        )
    result = SetupResult(
        organization=org, admin=admin, invitation=invitation, policy_version=version
    )
    for hook in SETUP_HOOKS:
        transaction.on_commit(lambda hook=hook: hook(result))  # type: ignore[misc]
    return result
