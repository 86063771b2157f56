"""The organization's own settings (Admin → Organization) and the platform operator's
suspension. Every value is validated here, so the wizard, the settings page, the API and the
CLI refuse the same bad input with the same message."""

from __future__ import annotations

import hashlib
import re
import zoneinfo
from collections.abc import Iterable
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput
from chorus.common.uploads import validate_image
from chorus.people.models import Organization, User
from chorus.people.roles import Role

DOMAIN_RE = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
JURISDICTION_RE = re.compile(r"^[A-Z]{2,5}(-[A-Z0-9]{1,3})?$")
LOGO_MAX_BYTES = 1024 * 1024
LOGO_EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
}
SETTINGS_FIELDS = (
    "name",
    "timezone",
    "language",
    "jurisdictions",
    "email_sender",
    "verified_domains",
)


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput("Enter the organization's name.", field="name")
    if len(name) > 200:
        raise InvalidInput("Keep the name under 200 characters.", field="name")
    return name


def clean_domains(domains: Iterable[str] | str) -> list[str]:
    """Lower-case, de-duplicated domains; each must look like `example.com` (no @, no scheme)."""
    if isinstance(domains, str):
        domains = re.split(r"[\s,;]+", domains)
    cleaned: list[str] = []
    for raw in domains:
        domain = raw.strip().lower().rstrip(".")
        if not domain:
            continue
        if domain.startswith("@"):
            domain = domain[1:]
        if not DOMAIN_RE.match(domain):
            raise InvalidInput(
                f"“{raw.strip()}” is not a domain. Write it like example.com, without @ or "
                "https://.",
                field="verified_domains",
            )
        if domain not in cleaned:
            cleaned.append(domain)
    if len(cleaned) > 50:
        raise InvalidInput("List at most 50 domains.", field="verified_domains")
    return cleaned


def clean_jurisdictions(codes: Iterable[str] | str) -> list[str]:
    """Upper-case codes such as US, US-CA, EU, DE, UK (and sector gates FINRA, SEC)."""
    if isinstance(codes, str):
        codes = re.split(r"[\s,;]+", codes)
    cleaned: list[str] = []
    for raw in codes:
        code = raw.strip().upper()
        if not code:
            continue
        if not JURISDICTION_RE.match(code):
            raise InvalidInput(
                f"“{raw.strip()}” is not a jurisdiction code. Use country or region codes such "
                "as US, US-CA, EU, DE, UK (and FINRA or SEC for regulated firms).",
                field="jurisdictions",
            )
        if code not in cleaned:
            cleaned.append(code)
    if not cleaned:
        raise InvalidInput(
            "Name at least one jurisdiction (for example US or EU): the policy lints depend on it.",
            field="jurisdictions",
        )
    return cleaned


def clean_timezone(name: str) -> str:
    name = (name or "").strip()
    if name not in zoneinfo.available_timezones():
        raise InvalidInput(
            f"“{name}” is not a time zone. Choose one such as Europe/Berlin or America/New_York.",
            field="timezone",
        )
    return name


def language_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in settings.LANGUAGES]


def clean_language(code: str) -> str:
    code = (code or "").strip().lower()
    if code not in dict(settings.LANGUAGES):
        raise InvalidInput(
            f"“{code}” is not a language code Chorus knows; choose one from the list (e.g. en, "
            "de, fr).",
            field="language",
        )
    return code


def clean_sender(sender: str, *, domains: list[str]) -> str:
    """`Name <address>` or a bare address at one of the verified domains; empty is allowed."""
    sender = (sender or "").strip()
    if not sender:
        return ""
    name, address = parseaddr(sender)
    try:
        validate_email(address)
    except ValidationError:
        raise InvalidInput(
            f"“{sender}” is not an e-mail sender. Write it like Acme Chorus <chorus@acme.example>.",
            field="email_sender",
        ) from None
    domain = address.rsplit("@", 1)[1].lower()
    if domains and not any(domain == d or domain.endswith("." + d) for d in domains):
        raise InvalidInput(
            f"The sender's domain {domain} is not one of your verified domains "
            f"({', '.join(domains)}). Add it there first, or use an address at one of them.",
            field="email_sender",
        )
    return formataddr((name, address)) if name else address


def domains_claimed_elsewhere(
    *, domains: list[str], organization: Organization | None
) -> list[str]:
    """The domains another organization on this installation already verified."""
    others = Organization.objects.all()
    if organization is not None:
        others = others.exclude(pk=organization.pk)
    taken: set[str] = set()
    for values in others.values_list("verified_domains", flat=True):
        taken.update(values or [])
    return [d for d in domains if d in taken]


def _refuse_claimed(domains: list[str], organization: Organization | None) -> None:
    clash = domains_claimed_elsewhere(domains=domains, organization=organization)
    if clash:
        raise InvalidInput(
            f"{', '.join(clash)} is already verified by another organization on this "
            "installation. Remove it here, or ask the platform operator.",
            field="verified_domains",
        )


def sender_for(organization: Organization | None) -> str:
    """The From address for mail sent on behalf of `organization`."""
    if organization is not None and organization.email_sender:
        return organization.email_sender
    return settings.DEFAULT_FROM_EMAIL


def require_admin(user: User, doing: str) -> None:
    from chorus.common.errors import PermissionDenied

    if not user.has_role(Role.ADMIN) or user.organization_id is None:
        raise PermissionDenied(f"Only the organization's administrators can {doing}.")


@transaction.atomic
def organization_update(
    *, organization: Organization, actor: User | None, values: dict[str, Any]
) -> Organization:
    """Change the organization's settings. `values` may hold any of SETTINGS_FIELDS; missing
    keys stay as they are. All values are validated before anything is written; the audit
    entry names the changed fields and their new values (none of them is secret)."""
    if actor is not None:
        require_admin(actor, "change the organization's settings")
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown setting {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    cleaned: dict[str, Any] = {}
    if "name" in values:
        cleaned["name"] = clean_name(values["name"])
    if "timezone" in values:
        cleaned["timezone"] = clean_timezone(values["timezone"])
    if "language" in values:
        cleaned["language"] = clean_language(values["language"])
    if "jurisdictions" in values:
        cleaned["jurisdictions"] = clean_jurisdictions(values["jurisdictions"])
    if "verified_domains" in values:
        cleaned["verified_domains"] = clean_domains(values["verified_domains"])
        _refuse_claimed(cleaned["verified_domains"], organization)
    domains = cleaned.get("verified_domains", organization.verified_domains)
    if "email_sender" in values or "verified_domains" in values:
        cleaned["email_sender"] = clean_sender(
            values.get("email_sender", organization.email_sender), domains=domains
        )
    changed = {k: v for k, v in cleaned.items() if getattr(organization, k) != v}
    if not changed:
        return organization
    for key, value in changed.items():
        setattr(organization, key, value)
    organization.save(update_fields=[*changed, "updated_at"])
    audit_record(
        organization=organization,
        actor=actor,
        action="organization.updated",
        target=organization,
        data={"changed": changed},
    )
    return organization


@transaction.atomic
def organization_set_logo(
    *, organization: Organization, actor: User, upload: UploadedFile | None
) -> Organization:
    """Replace the logo with a PNG, JPEG, GIF or WebP image (checked by content, at most
    1 MB), or remove it when `upload` is None. The file is stored under its SHA-256."""
    require_admin(actor, "change the organization's logo")
    old = organization.logo.name if organization.logo else ""
    if upload is None:
        if not old:
            return organization
        organization.logo = ""  # type: ignore[assignment]
        organization.logo_content_type = ""
        digest = ""
    else:
        mime = validate_image(upload, field="logo", max_bytes=LOGO_MAX_BYTES)
        data = upload.read()
        digest = hashlib.sha256(data).hexdigest()
        organization.logo.save(
            f"{organization.pk}-{digest[:16]}.{LOGO_EXTENSIONS[mime]}",
            ContentFile(data),
            save=False,
        )
        organization.logo_content_type = mime
    organization.save(update_fields=["logo", "logo_content_type", "updated_at"])
    if old and old != organization.logo.name:
        transaction.on_commit(lambda: organization.logo.storage.delete(old))
    audit_record(
        organization=organization,
        actor=actor,
        action="organization.logo_changed" if upload else "organization.logo_removed",
        target=organization,
        data={"sha256": digest} if digest else {},
    )
    return organization


@transaction.atomic
def organization_suspend(*, organization: Organization, reason: str) -> Organization:
    """Suspend an organization (platform operator): its data stays, its members can no longer
    log in or use the API until it is unsuspended."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput(
            "Say why the organization is suspended (members see it).", field="reason"
        )
    if organization.suspended_at is not None:
        raise Conflict(f"{organization.name} is already suspended.")
    organization.suspended_at = timezone.now()
    organization.suspended_reason = reason[:300]
    organization.save(update_fields=["suspended_at", "suspended_reason", "updated_at"])
    audit_record(
        organization=organization,
        actor=None,
        action="organization.suspended",
        target=organization,
        data={"reason": organization.suspended_reason},
    )
    return organization


@transaction.atomic
def organization_unsuspend(*, organization: Organization) -> Organization:
    """Lift a suspension (platform operator); members can log in again."""
    if organization.suspended_at is None:
        raise Conflict(f"{organization.name} is not suspended.")
    organization.suspended_at = None
    organization.suspended_reason = ""
    organization.save(update_fields=["suspended_at", "suspended_reason", "updated_at"])
    audit_record(
        organization=organization,
        actor=None,
        action="organization.unsuspended",
        target=organization,
        data={},
    )
    return organization
