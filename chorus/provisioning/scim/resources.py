"""SCIM Users and Groups of one organization: reading, writing and serializing them.

Every write goes through `chorus.identity.directory.directory_upsert`, the one place where
an identity provider's view of a person lands (shared with single sign-on), and through the
organization's group → role mapping; deactivation and deletion run offboarding. A token
only ever sees its own organization: every lookup filters on it, so another organization's
ids are a 404.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from pydantic import ValidationError
from scim2_models import Context, Group, PatchOp, SCIMException

from chorus.common.errors import Conflict, DomainError
from chorus.identity.directory import LANGUAGE_RE, DirectoryAttributes, directory_upsert
from chorus.people.models import Organization
from chorus.provisioning.models import (
    Offboarding,
    ScimGroup,
    ScimGroupMember,
    ScimToken,
    ScimUser,
)
from chorus.provisioning.scim.protocol import (
    CORE_GROUP,
    ENTERPRISE,
    ScimError,
    UserModel,
    check_if_match,
    clean_group_body,
    clean_user_body,
    etag_for,
    from_library_error,
    from_validation_error,
    normalize_patch,
)
from chorus.provisioning.services.offboarding import person_offboard, person_offboarding_reset

SOURCE = "scim"
USER_FILTERS: dict[tuple[str | None, ...], str] = {
    ("userName", None, None): "user_name",
    ("externalId", None, None): "external_id",
    ("emails", None, None): "email",
    ("emails", "value", None): "email",
    ("displayName", None, None): "display_name",
    ("active", None, None): "active",
    ("meta", "lastModified", None): "updated_at",
}
USER_FILTERABLE = "userName, externalId, emails.value, displayName, active, meta.lastModified"
GROUP_FILTERS: dict[tuple[str | None, ...], str] = {
    ("displayName", None, None): "display_name",
    ("externalId", None, None): "external_id",
    ("members", "value", None): "members__scim_id",
    ("members", None, None): "members__scim_id",
    ("meta", "lastModified", None): "updated_at",
}
GROUP_FILTERABLE = "displayName, externalId, members.value, meta.lastModified"


def actor_label(token: ScimToken) -> str:
    return f"SCIM token “{token.name}” ({token.prefix}…)"


# Reading ----------------------------------------------------------------------------------

def users_of(organization: Organization) -> QuerySet[ScimUser]:
    return ScimUser.objects.filter(organization=organization).order_by("created_at", "pk")


def groups_of(organization: Organization) -> QuerySet[ScimGroup]:
    return (ScimGroup.objects.filter(organization=organization)
            .prefetch_related("memberships__user").order_by("created_at", "pk"))


def user_get(organization: Organization, resource_id: str, *, lock: bool = False) -> ScimUser:
    users = users_of(organization)
    if lock:
        users = users.select_for_update()
    wanted = _uuid(resource_id)
    found = users.filter(scim_id=wanted).first() if wanted else None
    if found is None:
        raise ScimError(404, f"No User with id {resource_id[:80]} in this organization.")
    return found


def group_get(organization: Organization, resource_id: str, *, lock: bool = False) -> ScimGroup:
    groups = ScimGroup.objects.filter(organization=organization)
    if lock:
        groups = groups.select_for_update()
    wanted = _uuid(resource_id)
    found = groups.filter(scim_id=wanted).first() if wanted else None
    if found is None:
        raise ScimError(404, f"No Group with id {resource_id[:80]} in this organization.")
    return found


def _uuid(value: str) -> str | None:
    import uuid

    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def user_document(user: ScimUser, base_url: str) -> dict[str, Any]:
    doc = dict(user.document)
    doc["id"] = str(user.scim_id)
    groups = [{"value": str(g.scim_id), "display": g.display_name,
               "$ref": f"{base_url}/Groups/{g.scim_id}", "type": "direct"}
              for g in user.groups.all()]
    if groups:
        doc["groups"] = groups
    doc["meta"] = {"resourceType": "User", "created": user.created_at.isoformat(),
                   "lastModified": user.updated_at.isoformat(),
                   "location": f"{base_url}/Users/{user.scim_id}",
                   "version": etag_for(user.version)}
    return doc


def group_document(group: ScimGroup, base_url: str) -> dict[str, Any]:
    doc: dict[str, Any] = {"schemas": [CORE_GROUP], "id": str(group.scim_id),
                           "displayName": group.display_name}
    if group.external_id:
        doc["externalId"] = group.external_id
    doc["members"] = [{"value": str(m.user.scim_id), **m.attributes}
                      for m in group.memberships.all()]
    doc["meta"] = {"resourceType": "Group", "created": group.created_at.isoformat(),
                   "lastModified": group.updated_at.isoformat(),
                   "location": f"{base_url}/Groups/{group.scim_id}",
                   "version": etag_for(group.version)}
    return doc


def project(doc: dict[str, Any], *, attributes: str, excluded: str) -> dict[str, Any]:
    """RFC 7644 §3.4.2.5: `attributes` keeps only those (plus schemas, id, meta);
    `excludedAttributes` drops those. Top-level attributes and URN-prefixed names."""
    def names(raw: str) -> set[str]:
        out = set()
        for item in raw.split(","):
            item = item.strip()
            if not item:
                continue
            for urn in ("urn:ietf:params:scim:schemas:core:2.0:User:",
                        "urn:ietf:params:scim:schemas:core:2.0:Group:"):
                if item.startswith(urn):
                    item = item[len(urn):]
            out.add(item.split(".")[0].lower())
        return out
    keep, drop = names(attributes), names(excluded)
    always = {"schemas", "id", "meta"}
    if keep:
        return {k: v for k, v in doc.items() if k.lower() in keep or k in always
                or k.lower() in {x for x in keep if x.startswith("urn:")}}
    return {k: v for k, v in doc.items() if k.lower() not in drop or k in always}


# Users ------------------------------------------------------------------------------------

def _validated_user(body: dict[str, Any], context: Context) -> dict[str, Any]:
    try:
        model = UserModel.model_validate(clean_user_body(body), scim_ctx=context)
    except ValidationError as exc:
        raise from_validation_error(exc, what="User") from None
    except SCIMException as exc:
        raise from_library_error(exc) from None
    return _dump(model)


def _dump(model: Any) -> dict[str, Any]:
    doc = model.model_dump(mode="json", scim_ctx=Context.RESOURCE_CREATION_RESPONSE)
    for key in ("id", "meta", "groups", "password"):
        doc.pop(key, None)
    return doc


def _primary_email(doc: dict[str, Any]) -> str:
    emails = [e for e in doc.get("emails") or [] if isinstance(e, dict) and e.get("value")]
    for pick in (lambda e: e.get("primary") is True, lambda e: e.get("type") == "work",
                 lambda e: True):
        chosen = [e for e in emails if pick(e)]
        if chosen:
            return str(chosen[0]["value"]).strip().lower()
    user_name = str(doc.get("userName") or "").strip().lower()
    if "@" in user_name:
        return user_name
    raise ScimError(400, "The User has no e-mail address: send “emails” (a work address) or "
                    "an e-mail address as “userName”.", "invalidValue")


def _attributes(*, organization: Organization, doc: dict[str, Any], scim_user: ScimUser | None,
                scim_id: str, with_groups: bool = False) -> DirectoryAttributes:
    name = doc.get("name") or {}
    enterprise = doc.get(ENTERPRISE) or {}
    manager_email: str | None = None
    if "manager" in enterprise:
        manager_id = (enterprise.get("manager") or {}).get("value") or ""
        manager_email = ""
        if manager_id and _uuid(manager_id):
            manager = (ScimUser.objects.filter(organization=organization, scim_id=manager_id)
                       .select_related("person").first())
            manager_email = manager.person.email if manager else None
    addresses = [a for a in doc.get("addresses") or [] if isinstance(a, dict)]
    address = next((a for a in addresses if a.get("primary")), None) or next(
        (a for a in addresses if a.get("type") == "work"), None) or (
        addresses[0] if addresses else None)
    groups: tuple[str, ...] | None = None
    if with_groups or ScimGroup.objects.filter(organization=organization).exists():
        # The identity provider pushes groups: they decide the mapped roles.
        groups = tuple(scim_user.groups.values_list("display_name", flat=True)) if scim_user \
            else ()
    return DirectoryAttributes(
        email=_primary_email(doc),
        given_name=name.get("givenName"),
        family_name=name.get("familyName"),
        display_name=doc.get("displayName") or name.get("formatted"),
        department=enterprise.get("department"),
        manager_email=manager_email,
        location=address.get("locality") if address else None,
        title=doc.get("title"),
        preferred_language=_language(doc.get("preferredLanguage")),
        groups=groups,
        external_id=scim_id,
        active=doc.get("active", True) is not False,
    )


def _language(value: Any) -> str | None:
    """preferredLanguage for the person's profile when it is a language tag (RFC 7231 form,
    "en-US"); anything else stays in the SCIM resource as sent but does not reach the
    profile, so an identity provider's odd value never blocks provisioning someone."""
    if isinstance(value, str) and LANGUAGE_RE.match(value.strip()):
        return value.strip()
    return None


def _directory_write(*, token: ScimToken, doc: dict[str, Any], scim_user: ScimUser | None,
                     scim_id: str, with_groups: bool = False) -> Any:
    organization = token.organization
    attrs = _attributes(organization=organization, doc=doc, scim_user=scim_user,
                        scim_id=scim_id, with_groups=with_groups)
    try:
        user = directory_upsert(organization=organization, attributes=attrs, source=SOURCE,
                                actor_label=actor_label(token), reactivate=True)
    except Conflict as exc:
        raise ScimError(409, exc.message, "uniqueness") from None
    except DomainError as exc:
        raise ScimError(400, exc.message, "invalidValue") from None
    person = user.person
    if person is None:  # directory_upsert always links a person; refuse rather than guess
        raise ScimError(500, "The person record could not be linked; nothing was saved.")
    if attrs.active:
        person_offboarding_reset(person=person, actor_label=actor_label(token))
    return person


def _user_fields(doc: dict[str, Any]) -> dict[str, Any]:
    return {"user_name": str(doc.get("userName") or "")[:254],
            "external_id": str(doc.get("externalId") or "")[:254],
            "email": _primary_email(doc)[:254],
            "display_name": str(doc.get("displayName") or "")[:254],
            "active": doc.get("active", True) is not False}


def _check_user_name(organization: Organization, doc: dict[str, Any],
                     exclude: ScimUser | None = None) -> None:
    user_name = str(doc.get("userName") or "").strip()
    if not user_name:
        raise ScimError(400, "“userName” is required.", "invalidValue")
    clash = ScimUser.objects.filter(organization=organization, user_name__iexact=user_name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ScimError(409, f"A User with userName {user_name} already exists.", "uniqueness")


@transaction.atomic
def user_create(*, token: ScimToken, body: dict[str, Any]) -> ScimUser:
    import uuid

    organization = token.organization
    doc = _validated_user(body, Context.RESOURCE_CREATION_REQUEST)
    _check_user_name(organization, doc)
    scim_id = str(uuid.uuid4())
    person = _directory_write(token=token, doc=doc, scim_user=None, scim_id=scim_id)
    if ScimUser.objects.filter(person=person).exists():
        raise ScimError(409, f"{person.email} is already provisioned as another User; "
                        "match it by userName instead of creating it again.", "uniqueness")
    try:
        with transaction.atomic():
            user = ScimUser.objects.create(organization=organization, scim_id=scim_id,
                                           person=person, document=doc, **_user_fields(doc))
    except IntegrityError:
        raise ScimError(409, f"A User with userName {doc.get('userName')} already exists.",
                        "uniqueness") from None
    if not doc.get("active", True):
        _offboard(token=token, scim_user=user, reason="Provisioned as inactive")
    return user


@transaction.atomic
def user_replace(*, token: ScimToken, resource_id: str, body: dict[str, Any], request: Any
                 ) -> ScimUser:
    user = user_get(token.organization, resource_id, lock=True)
    check_if_match(request, user.version)
    doc = _validated_user(body, Context.RESOURCE_REPLACEMENT_REQUEST)
    return _user_save(token=token, user=user, doc=doc)


@transaction.atomic
def user_patch(*, token: ScimToken, resource_id: str, body: dict[str, Any], request: Any
               ) -> ScimUser:
    user = user_get(token.organization, resource_id, lock=True)
    check_if_match(request, user.version)
    try:
        model = UserModel.model_validate({**user.document, "id": str(user.scim_id)},
                                         scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        patch = PatchOp[UserModel].model_validate(  # type: ignore[misc]
            normalize_patch(body, resource_id=str(user.scim_id)),
            scim_ctx=Context.RESOURCE_PATCH_REQUEST)
        changed = patch.patch(model)
    except ValidationError as exc:
        raise from_validation_error(exc, what="PATCH request") from None
    except SCIMException as exc:
        raise from_library_error(exc) from None
    if not changed:
        return user
    return _user_save(token=token, user=user, doc=_dump(model))


def _user_save(*, token: ScimToken, user: ScimUser, doc: dict[str, Any]) -> ScimUser:
    _check_user_name(token.organization, doc, exclude=user)
    was_active = user.active
    _directory_write(token=token, doc=doc, scim_user=user, scim_id=str(user.scim_id))
    for name, value in _user_fields(doc).items():
        setattr(user, name, value)
    user.document = doc
    user.version += 1
    user.save()
    if was_active and not user.active:
        _offboard(token=token, scim_user=user, reason="Deactivated in the identity provider")
    return user


@transaction.atomic
def user_delete(*, token: ScimToken, resource_id: str, request: Any) -> None:
    user = user_get(token.organization, resource_id, lock=True)
    check_if_match(request, user.version)
    groups = list(user.groups.all())
    _offboard(token=token, scim_user=user, reason="Deleted in the identity provider",
              always=True)
    user.delete()
    for group in groups:
        ScimGroup.objects.filter(pk=group.pk).update(version=group.version + 1)


def _offboard(*, token: ScimToken, scim_user: ScimUser, reason: str, always: bool = False
              ) -> None:
    """Offboard the person, unless the directory already did (deactivating through
    `directory_upsert` offboards); `always` reruns it (deletion: safe to repeat)."""
    done = Offboarding.objects.filter(person=scim_user.person, reactivated_at__isnull=True)
    if done.exists() and not always:
        return
    person_offboard(person=scim_user.person, actor=None, reason=reason,
                    source=Offboarding.Source.SCIM, actor_label=actor_label(token))


# Groups -----------------------------------------------------------------------------------

def _validated_group(body: dict[str, Any], context: Context) -> Group:
    try:
        return Group.model_validate(clean_group_body(body), scim_ctx=context)
    except ValidationError as exc:
        raise from_validation_error(exc, what="Group") from None
    except SCIMException as exc:
        raise from_library_error(exc) from None


def _members(organization: Organization, group: Group) -> list[tuple[ScimUser, dict[str, Any]]]:
    """The members a Group names, each with the attributes sent for it; a member that is not
    a User of this organization is refused (another organization's ids are unknown here)."""
    sent: dict[str, dict[str, Any]] = {}
    for member in group.members or []:
        if not member.value:
            raise ScimError(400, "Each member needs its “value” (the User's id).",
                            "invalidValue")
        attributes = member.model_dump(mode="json", by_alias=True, exclude_none=True)
        attributes.pop("value", None)
        sent.setdefault(member.value, attributes)
    found = {str(u.scim_id): u for u in ScimUser.objects.filter(
        organization=organization, scim_id__in=[w for w in sent if _uuid(w)])}
    missing = [w for w in sent if w not in found]
    if missing:
        raise ScimError(400, f"No User with id {missing[0][:80]} in this organization; "
                        "provision the user before adding it to a group.", "invalidValue")
    return [(found[w], attributes) for w, attributes in sent.items()]


def _group_save(*, token: ScimToken, group: ScimGroup, model: Group) -> ScimGroup:
    organization = token.organization
    name = " ".join((model.display_name or "").split())
    if not name:
        raise ScimError(400, "“displayName” is required for a Group.", "invalidValue")
    clash = ScimGroup.objects.filter(organization=organization, display_name__iexact=name)
    if group.pk:
        clash = clash.exclude(pk=group.pk)
    if clash.exists():
        raise ScimError(409, f"A Group named {name} already exists.", "uniqueness")
    members = _members(organization, model)
    before = set(group.members.values_list("pk", flat=True)) if group.pk else set()
    renamed = bool(group.pk) and group.display_name != name
    group.display_name, group.external_id = name[:254], (model.external_id or "")[:254]
    group.version = (group.version or 0) + 1 if group.pk else 1
    group.organization = organization
    group.save()
    ScimGroupMember.objects.filter(group=group).delete()
    ScimGroupMember.objects.bulk_create(
        ScimGroupMember(group=group, user=user, attributes=attributes)
        for user, attributes in members)
    after = {user.pk for user, _ in members}
    affected = (before | after) if renamed else (before ^ after)
    _resync_roles(token=token, user_ids=affected)
    return group


def _resync_roles(*, token: ScimToken, user_ids: set[int]) -> None:
    """Group membership changed: apply the group → role mapping to the members it concerns
    (through the directory, like any other change)."""
    for user in ScimUser.objects.filter(pk__in=user_ids, active=True).order_by("pk"):
        _directory_write(token=token, doc=user.document, scim_user=user,
                         scim_id=str(user.scim_id), with_groups=True)


@transaction.atomic
def group_create(*, token: ScimToken, body: dict[str, Any]) -> ScimGroup:
    model = _validated_group(body, Context.RESOURCE_CREATION_REQUEST)
    try:
        with transaction.atomic():
            return _group_save(token=token, group=ScimGroup(organization=token.organization),
                               model=model)
    except IntegrityError:
        raise ScimError(409, f"A Group named {model.display_name} already exists.",
                        "uniqueness") from None


@transaction.atomic
def group_replace(*, token: ScimToken, resource_id: str, body: dict[str, Any], request: Any
                  ) -> ScimGroup:
    group = group_get(token.organization, resource_id, lock=True)
    check_if_match(request, group.version)
    model = _validated_group(body, Context.RESOURCE_REPLACEMENT_REQUEST)
    return _group_save(token=token, group=group, model=model)


@transaction.atomic
def group_patch(*, token: ScimToken, resource_id: str, body: dict[str, Any], request: Any
                ) -> ScimGroup:
    group = group_get(token.organization, resource_id, lock=True)
    check_if_match(request, group.version)
    current = {"schemas": [CORE_GROUP], "id": str(group.scim_id),
               "displayName": group.display_name,
               "members": [{"value": str(m.user.scim_id), **m.attributes}
                           for m in group.memberships.select_related("user")]}
    if group.external_id:
        current["externalId"] = group.external_id
    try:
        model = Group.model_validate(current, scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        patch = PatchOp[Group].model_validate(  # type: ignore[misc]
            normalize_patch(body, resource_id=str(group.scim_id)),
            scim_ctx=Context.RESOURCE_PATCH_REQUEST)
        changed = patch.patch(model)
    except ValidationError as exc:
        raise from_validation_error(exc, what="PATCH request") from None
    except SCIMException as exc:
        raise from_library_error(exc) from None
    if not changed:
        return group
    return _group_save(token=token, group=group, model=model)


@transaction.atomic
def group_delete(*, token: ScimToken, resource_id: str, request: Any) -> None:
    group = group_get(token.organization, resource_id, lock=True)
    check_if_match(request, group.version)
    members = set(group.members.values_list("pk", flat=True))
    group.delete()
    _resync_roles(token=token, user_ids=members)
