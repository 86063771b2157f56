"""The one place where a directory's view of a person lands in Chorus.

Single sign-on (just-in-time provisioning at each login) and SCIM provisioning both describe a
person as `DirectoryAttributes` and call `directory_upsert`, which creates or updates the
account (`people.User`), the HR record (`people.Person`, through the people and onboarding
services), the directory link and profile, and the roles the organization's group→role
mapping grants. `directory_deactivate` ends an account the directory says is gone.

A field left as None means "the directory did not say": it is not changed. An empty string
clears it. Every change is audited with the directory as the actor (`actor_label`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput
from chorus.common.middleware import supported_language
from chorus.identity.sso.models import DirectoryLink, DirectoryProfile, GroupRoleMapping
from chorus.people.models import Organization, Person, User
from chorus.people.roles import Role

LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8}){0,4}$")
MAX_GROUPS = 500
LIMITS = {
    "given_name": 100,
    "family_name": 100,
    "display_name": 200,
    "department": 120,
    "location": 120,
    "title": 200,
    "external_id": 255,
}


@dataclass(frozen=True)
class DirectoryAttributes:
    """A directory's view of one person. None: not provided (left as is); "": clear it.

    `groups` are the identity provider's group names (None when the directory sent no group
    claim: roles stay as they are). `external_id` is the directory's stable id for the person
    (OIDC `sub`, SAML NameID, SCIM `externalId`)."""

    email: str
    given_name: str | None = None
    family_name: str | None = None
    display_name: str | None = None
    department: str | None = None
    manager_email: str | None = None
    location: str | None = None
    title: str | None = None
    preferred_language: str | None = None
    groups: tuple[str, ...] | None = None
    external_id: str | None = None
    active: bool = True

    @property
    def full_name(self) -> str:
        """The display name, else given and family name, else "" (not provided)."""
        if self.display_name:
            return self.display_name
        return " ".join(p for p in (self.given_name, self.family_name) if p)


def _text(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(
            f"The directory attribute “{name}” must be text, not {type(value).__name__}.",
            field=name,
        )
    value = " ".join(value.split())
    limit = LIMITS.get(name)
    if limit and len(value) > limit:
        raise InvalidInput(
            f"The directory attribute “{name}” is longer than {limit} characters; shorten it "
            "in the identity provider.",
            field=name,
        )
    return value


def _email(name: str, value: Any, *, required: bool) -> str | None:
    text = _text(name, value)
    if not text:
        if required:
            raise InvalidInput(
                "The directory sent no e-mail address. Map the e-mail attribute (email, "
                "mail or userName) in the identity provider.",
                field=name,
            )
        return text
    text = text.lower()
    try:
        validate_email(text)
    except ValidationError:
        raise InvalidInput(
            f"“{text}” from the directory attribute “{name}” is not an e-mail address.",
            field=name,
        ) from None
    return text


def clean_attributes(attributes: DirectoryAttributes) -> DirectoryAttributes:
    """Validated and normalized attributes (trimmed text, lower-case e-mail addresses), or
    InvalidInput naming the attribute at fault."""
    if not isinstance(attributes, DirectoryAttributes):
        raise InvalidInput("Directory attributes must be a DirectoryAttributes.")
    values: dict[str, Any] = {
        name: _text(name, getattr(attributes, name))
        for name in ("given_name", "family_name", "display_name", "department", "location",
                     "title", "external_id")
    }
    values["email"] = _email("email", attributes.email, required=True)
    values["manager_email"] = _email("manager_email", attributes.manager_email, required=False)
    language = _text("preferred_language", attributes.preferred_language)
    if language and not LANGUAGE_RE.match(language):
        raise InvalidInput(
            f"“{language}” is not a language tag; use one such as en, de or pt-BR.",
            field="preferred_language",
        )
    values["preferred_language"] = language.replace("_", "-") if language else language
    groups = attributes.groups
    if groups is not None:
        if isinstance(groups, str) or not all(isinstance(g, str) for g in groups):
            raise InvalidInput("The directory's groups must be a list of group names.",
                               field="groups")
        if len(groups) > MAX_GROUPS:
            raise InvalidInput(f"The directory sent more than {MAX_GROUPS} groups; send only "
                               "the groups Chorus maps to roles.", field="groups")
        cleaned = []
        for group in groups:
            name = " ".join(group.split())
            if len(name) > 200:
                raise InvalidInput("A group name is longer than 200 characters.", field="groups")
            if name and name not in cleaned:
                cleaned.append(name)
        groups = tuple(cleaned)
    values["groups"] = groups
    if values["external_id"] == "":
        values["external_id"] = None
    if not isinstance(attributes.active, bool):
        raise InvalidInput("The directory attribute “active” must be true or false.",
                           field="active")
    return dataclasses.replace(attributes, **values)


def _clean_source(source: str) -> str:
    source = (source or "").strip()
    if not source or len(source) > 60:
        raise InvalidInput("Name the directory source (for example “oidc:3” or “scim”).",
                           field="source")
    return source


def email_domain_allowed(*, organization: Organization, email: str) -> bool:
    """True when the address is on one of the organization's verified domains."""
    domain = email.rsplit("@", 1)[-1].lower()
    return domain in [d.lower() for d in (organization.verified_domains or [])]


def _find_user(*, organization: Organization, attrs: DirectoryAttributes, source: str
               ) -> User | None:
    if attrs.external_id:
        link = (DirectoryLink.objects.select_related("user")
                .filter(organization=organization, source=source, external_id=attrs.external_id)
                .first())
        if link is not None:
            return link.user
    user = User.objects.filter(email__iexact=attrs.email).first()
    if user is not None and user.organization_id != organization.pk:
        # Never tell a directory of one organization that an address exists in another.
        raise Conflict(
            f"{attrs.email} cannot be used in {organization.name}. Ask the platform operator.",
            field="email",
        )
    return user


def roles_from_groups(*, organization: Organization, groups: tuple[str, ...], current: set[str]
                      ) -> set[str]:
    """The roles a person with `current` roles and these directory groups should hold: the
    roles mentioned by any mapping follow the groups; the others stay; never none."""
    mappings = list(GroupRoleMapping.objects.filter(organization=organization))
    managed = {m.role for m in mappings}
    wanted = {g.lower() for g in groups}
    granted = {m.role for m in mappings if m.group.lower() in wanted}
    roles = (current - managed) | granted
    return roles or {Role.EMPLOYEE.value}


def _apply_roles(*, user: User, organization: Organization, groups: tuple[str, ...],
                 actor_label: str) -> None:
    from chorus.administration.services import active_admins
    from chorus.people.services import user_set_roles

    current = set(user.groups.values_list("name", flat=True))
    roles = roles_from_groups(organization=organization, groups=groups, current=current)
    if Role.ADMIN in current and Role.ADMIN not in roles and user.is_active:
        admins = list(active_admins(organization=organization).values_list("pk", flat=True))
        if admins == [user.pk]:
            roles.add(Role.ADMIN.value)
            audit_record(organization=organization, actor=actor_label,
                         action="identity.directory_admin_kept", target=user,
                         data={"user": user.email,
                               "reason": "last active administrator; the directory's groups "
                                         "would have removed the administrator role"})
    if roles != current:
        user_set_roles(user=user, roles=roles, actor=actor_label)


def _person_for(*, organization: Organization, user: User, emails: set[str]) -> Person | None:
    person = Person.objects.filter(user=user).first()
    if person is not None:
        return person
    person = (Person.objects.filter(organization=organization, user__isnull=True,
                                    email__in=sorted(emails)).first())
    return person


def _sync_person(*, organization: Organization, user: User, attrs: DirectoryAttributes,
                 old_email: str, actor_label: str) -> dict[str, Any]:
    from chorus.onboarding.services import person_sync_from_directory
    from chorus.people.services import person_create

    notes: dict[str, Any] = {}
    manager: Person | None = None
    manager_known = attrs.manager_email is not None
    if attrs.manager_email:
        manager = Person.objects.filter(organization=organization,
                                        email__iexact=attrs.manager_email).first()
        if manager is None or manager.user_id == user.pk:
            # The manager may arrive later (SCIM sends people one at a time): keep what we have.
            notes["manager_unresolved"] = attrs.manager_email
            manager_known = False
            manager = None
    person = _person_for(organization=organization, user=user, emails={old_email, attrs.email})
    if person is None:
        person = person_create(
            organization=organization, full_name=user.full_name, email=attrs.email,
            department=attrs.department or "", manager=manager, user=user,
            title=attrs.title or "", location=attrs.location or "",
        )
        audit_record(organization=organization, actor=actor_label,
                     action="people.person_added", target=person,
                     data={"status": person.status, "by": "directory"})
        notes["person_created"] = True
        return notes
    if person.user_id is None:
        person.user = user
        person.save(update_fields=["user", "updated_at"])
        notes["person_linked"] = True
    values: dict[str, Any] = {"email": attrs.email}
    if attrs.full_name:
        values["full_name"] = attrs.full_name
    for name in ("department", "location", "title"):
        value = getattr(attrs, name)
        if value is not None:
            values[name] = value
    if manager_known:
        values["manager"] = manager
    changed = person_sync_from_directory(person=person, values=values, actor_label=actor_label)
    if changed:
        notes["person_fields"] = sorted(changed)
    return notes


def directory_upsert(*, organization: Organization, attributes: DirectoryAttributes, source: str,
                     actor_label: str, reactivate: bool = False) -> User:
    """Create or update the account and HR record a directory describes, and apply the
    organization's group→role mapping. Returns the account.

    The e-mail address must be on one of the organization's verified domains, and an address
    that belongs to another organization's account is refused (Conflict), so one
    organization's directory can never reach another's people. The person is found by the
    directory's external id for this source first, then by e-mail. `attributes.active=False`
    deactivates an active account; a deactivated account is only reactivated when the caller
    says so (`reactivate=True`, SCIM), never by a login. Bad attributes raise InvalidInput
    naming the attribute; nothing is written then. Two directories (or two sign-ins) creating
    the same person at the same moment: one wins, the other gets Conflict ("try again").
    """
    try:
        return _directory_upsert(organization=organization, attributes=attributes,
                                 source=source, actor_label=actor_label, reactivate=reactivate)
    except IntegrityError:
        raise Conflict(f"{attributes.email} was changed by another update at the same moment; "
                       "try again.", field="email") from None


@transaction.atomic
def _directory_upsert(*, organization: Organization, attributes: DirectoryAttributes,
                      source: str, actor_label: str, reactivate: bool) -> User:
    attrs = clean_attributes(attributes)
    source = _clean_source(source)
    actor_label = (actor_label or source)[:254]
    if not email_domain_allowed(organization=organization, email=attrs.email):
        domains = ", ".join(organization.verified_domains or []) or "none yet"
        raise InvalidInput(
            f"{attrs.email} is not on a verified domain of {organization.name} ({domains}). "
            "Add the domain under Admin → Organization, or use the work address.",
            field="email",
        )
    user = _find_user(organization=organization, attrs=attrs, source=source)
    created = user is None
    changed_fields: list[str] = []
    old_email = attrs.email
    if user is None:
        from chorus.people.services import user_create

        user = user_create(
            organization=organization, email=attrs.email,
            full_name=attrs.full_name or attrs.email.split("@")[0], password=None,
            roles=[Role.EMPLOYEE], actor=actor_label,
        )
        if not attrs.active:
            user.is_active = False
            user.save(update_fields=["is_active"])
    else:
        user = User.objects.select_for_update().get(pk=user.pk)
        old_email = user.email
        if attrs.email != user.email:
            if User.objects.filter(email__iexact=attrs.email).exclude(pk=user.pk).exists():
                raise Conflict(f"Another account already uses {attrs.email}.", field="email")
            user.email = attrs.email
            changed_fields.append("email")
        if attrs.full_name and attrs.full_name != user.full_name:
            user.full_name = attrs.full_name
            changed_fields.append("full_name")
        if changed_fields:
            user.save(update_fields=changed_fields)
        if attrs.active and not user.is_active and reactivate:
            user.is_active = True
            user.save(update_fields=["is_active"])
            audit_record(organization=organization, actor=actor_label,
                         action="permissions.user_reactivated", target=user,
                         data={"user": user.email, "by": "directory"})
    # The IdP's locale claim (OIDC locale/preferred_language, SAML language attribute) sets
    # the interface language until the person picks one themselves (their choice wins).
    sso_language = supported_language(attrs.preferred_language)
    if sso_language and not user.language:
        user.language = sso_language
        user.save(update_fields=["language"])
    if attrs.external_id:
        clash = (DirectoryLink.objects.filter(organization=organization, source=source,
                                              external_id=attrs.external_id)
                 .exclude(user=user).exists())
        if clash:
            raise Conflict(f"The directory id {attrs.external_id} already belongs to another "
                           "account.", field="external_id")
        DirectoryLink.objects.update_or_create(
            user=user, source=source,
            defaults={"organization": organization, "external_id": attrs.external_id})
    profile_defaults: dict[str, Any] = {"organization": organization, "source": source,
                                        "synced_at": timezone.now()}
    if attrs.preferred_language is not None:
        profile_defaults["preferred_language"] = attrs.preferred_language
    if attrs.groups is not None:
        profile_defaults["groups"] = list(attrs.groups)
    DirectoryProfile.objects.update_or_create(user=user, defaults=profile_defaults)
    notes = _sync_person(organization=organization, user=user, attrs=attrs, old_email=old_email,
                         actor_label=actor_label)
    if attrs.groups is not None:
        _apply_roles(user=user, organization=organization, groups=attrs.groups,
                     actor_label=actor_label)
    if created or changed_fields or notes:
        audit_record(
            organization=organization, actor=actor_label,
            action="identity.directory_user_created" if created
            else "identity.directory_user_updated",
            target=user,
            data={"user": user.email, "source": source, "fields": changed_fields, **notes},
        )
    if not attrs.active and user.is_active:
        directory_deactivate(user=user, source=source, actor_label=actor_label)
        user.refresh_from_db()
    return user


@transaction.atomic
def directory_deactivate(*, user: User, source: str, actor_label: str) -> User:
    """The directory says this account is gone: offboard the person (one service for every
    leaver, chorus.provisioning: sessions end, API tokens are revoked, monitoring consent,
    attestation requests, advocacy attribution and verified affiliation end; each step
    audited with the directory as actor). The last active administrator is refused
    (Conflict): appoint another administrator first."""
    from django.apps import apps

    from chorus.administration.services import active_admins, user_deactivate

    source = _clean_source(source)
    label = actor_label or source
    admins = list(active_admins(organization=user.org).values_list("pk", flat=True))
    if admins == [user.pk]:
        raise Conflict(f"{user} is the last active administrator and cannot be deactivated; "
                       "make someone else an administrator first.")
    person = Person.objects.filter(user=user).first()
    if person is not None and apps.is_installed("chorus.provisioning"):
        from chorus.provisioning.services import person_offboard

        person_offboard(person=person, actor=None, actor_label=label,
                        reason=f"Deactivated by the directory ({source}).",
                        source="sso" if source.startswith(("oidc", "saml", "sso")) else "scim")
        user.refresh_from_db()
        return user
    return user_deactivate(user=user, actor=None, actor_label=label,
                           reason=f"Deactivated by the directory ({source}).")
