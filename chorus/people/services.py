"""Writes for organizations, users, roles, people and API tokens."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from collections.abc import Iterable

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from chorus.audit.services import audit_record
from chorus.common.errors import InvalidInput, NotFound, PermissionDenied
from chorus.people.models import ApiToken, Department, Organization, Person, User
from chorus.people.roles import Role

TOKEN_PREFIX = "chorus_"


def roles_sync() -> None:
    """Create one group per role and grant exactly the permissions the apps declare.

    Idempotent; runs after every `migrate`. Administrators get every Chorus permission.
    """
    wanted: dict[str, set[str]] = {role.value: set() for role in Role}
    chorus_labels = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("chorus."):
            continue
        chorus_labels.add(config.label)
        for role, perms in getattr(config, "role_permissions", {}).items():
            wanted[role].update(perms)
    all_chorus = Permission.objects.filter(content_type__app_label__in=chorus_labels)
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        if role == Role.ADMIN:
            group.permissions.set(all_chorus)
            continue
        perms = []
        for dotted in sorted(wanted[role.value]):
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)


@transaction.atomic
def organization_create(*, name: str, jurisdictions: Iterable[str] = ("US",)) -> Organization:
    """Create an organization with a unique slug derived from its name."""
    name = name.strip()
    if not name:
        raise InvalidInput("An organization needs a name.", field="name")
    base = slugify(name)[:70] or "org"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return Organization.objects.create(
        name=name, slug=slug, jurisdictions=[j.strip().upper() for j in jurisdictions]
    )


@transaction.atomic
def user_create(
    *,
    organization: Organization,
    email: str,
    full_name: str,
    password: str | None,
    roles: Iterable[str] = (Role.EMPLOYEE,),
    actor: User | str | None = None,
) -> User:
    """Create an account in `organization` with the given roles. E-mail is unique site-wide."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise InvalidInput(f"An account for {email} already exists.", field="email")
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name.strip(), organization=organization
    )
    user_set_roles(user=user, roles=roles, actor=actor)
    return user


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[str], actor: User | str | None) -> User:
    """Replace the user's roles. A permission change is always written to the audit trail.
    `actor` is the user who made the change, or a label for a system actor (a directory)."""
    roles = sorted(set(roles))
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise InvalidInput(
            f"Unknown role {unknown[0]!r}; use one of {', '.join(Role.values)}.", field="roles"
        )
    before = sorted(user.groups.values_list("name", flat=True))
    user.groups.set(Group.objects.filter(name__in=roles))
    user.__dict__.pop("_role_names", None)
    if before != roles and user.organization_id:
        audit_record(
            organization=user.organization,
            actor=actor,
            action="permissions.roles_changed",
            target=user,
            data={"user": user.email, "before": before, "after": roles},
        )
    return user


def department_get_or_create(*, organization: Organization, name: str) -> Department:
    name = " ".join(name.split())
    existing = Department.objects.filter(organization=organization, name__iexact=name).first()
    return existing or Department.objects.create(organization=organization, name=name)


@transaction.atomic
def person_create(
    *,
    organization: Organization,
    full_name: str,
    email: str,
    department: str = "",
    manager: Person | None = None,
    status: str = Person.Status.EMPLOYEE,
    user: User | None = None,
    title: str = "",
    location: str = "",
    start_date=None,
) -> Person:
    """Create a person record; the e-mail must be new in the organization."""
    email = email.strip().lower()
    if Person.objects.filter(organization=organization, email__iexact=email).exists():
        raise InvalidInput(f"{email} is already on the people list.", field="email")
    dept = (
        department_get_or_create(organization=organization, name=department) if department else None
    )
    return Person.objects.create(
        organization=organization,
        full_name=full_name.strip(),
        email=email,
        department=dept,
        manager=manager,
        status=status,
        user=user,
        title=title,
        location=location,
        start_date=start_date,
    )


@transaction.atomic
def person_set_advocacy_paused(*, person: Person, paused: bool, actor: User, reason: str) -> Person:
    """Pause or resume someone's advocacy access (a containment step, never a sanction)."""
    person.advocacy_paused_at = timezone.now() if paused else None
    person.advocacy_paused_reason = reason if paused else ""
    person.save(update_fields=["advocacy_paused_at", "advocacy_paused_reason", "updated_at"])
    audit_record(
        organization=person.organization,
        actor=actor,
        action="people.advocacy_paused" if paused else "people.advocacy_resumed",
        target=person,
        data={"reason": reason},
    )
    return person


@transaction.atomic
def user_set_timezone(*, user: User, timezone_name: str) -> User:
    """Set the zone this user reads dates in; "" means "my organization's zone"."""
    name = (timezone_name or "").strip()
    if name and name not in zoneinfo.available_timezones():
        raise InvalidInput(
            f"“{name}” is not a time zone we know. Pick one from the list, e.g. Europe/Lisbon.",
            field="timezone",
        )
    user.timezone = name
    user.save(update_fields=["timezone"])
    return user


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    """Set the language this user reads Chorus in; "" means "my browser's, else my
    organization's"."""
    from django.conf import settings

    code = (language or "").strip().lower()
    known = [c for c, _ in settings.LANGUAGES]
    if code and code not in known:
        raise InvalidInput(
            f"“{code}” is not a language Chorus ships. Pick one of: {', '.join(known)}.",
            field="language",
        )
    user.language = code
    user.save(update_fields=["language"])
    return user


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never retrievable again."""
    name = name.strip()
    if not name:
        raise InvalidInput("Give the token a name so you can recognise it later.", field="name")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=raw[: len(TOKEN_PREFIX) + 6], token_hash=_hash_token(raw)
    )
    if user.organization_id:
        audit_record(
            organization=user.organization,
            actor=user,
            action="permissions.api_token_created",
            target=token,
            data={"name": token.name, "prefix": token.prefix},
        )
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        if user.organization_id:
            audit_record(
                organization=user.organization,
                actor=user,
                action="permissions.api_token_revoked",
                target=token,
                data={"name": token.name, "prefix": token.prefix},
            )
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user owning this token, or None. Touches `last_used_at` at most once a minute.
    A member of a suspended organization gets PermissionDenied with the reason (a 403)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__organization")
        .filter(token_hash=_hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    org = token.user.organization
    if org is not None and org.suspended_at is not None:
        raise PermissionDenied(org.suspension_message)
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
