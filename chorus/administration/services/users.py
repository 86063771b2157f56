"""Admin → Users and roles: granting and revoking roles, deactivating and reactivating
accounts. The organization always keeps at least one active administrator."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from chorus.administration.services.invitations import clean_roles
from chorus.administration.services.organizations import require_admin
from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput, NotFound
from chorus.people.models import ApiToken, Organization, User
from chorus.people.roles import Role
from chorus.people.services import user_set_roles


def active_admins(*, organization: Organization) -> QuerySet[User]:
    return User.objects.filter(
        Q(groups__name=Role.ADMIN) | Q(is_superuser=True),
        organization=organization,
        is_active=True,
    ).distinct()


def _lock_admins(organization: Organization) -> list[int]:
    """Lock the organization's active administrators, so two administrators demoting each
    other at the same moment cannot leave the organization with none."""
    admins = User.objects.filter(pk__in=active_admins(organization=organization).values("pk"))
    if connection.features.has_select_for_update_of:
        admins = admins.select_for_update(of=("self",))
    else:
        admins = admins.select_for_update()
    return list(admins.values_list("pk", flat=True))


def _check_target(user: User, actor: User, doing: str) -> None:
    require_admin(actor, doing)
    if user.organization_id != actor.organization_id:
        raise NotFound("No such user in your organization.")


@transaction.atomic
def user_roles_update(*, user: User, actor: User, roles: Iterable[str]) -> User:
    """Replace the user's roles (audited as permissions.roles_changed). Taking the
    administrator role from the last active administrator is refused."""
    _check_target(user, actor, "change roles")
    roles = clean_roles(roles)
    admins = _lock_admins(user.org)
    if Role.ADMIN not in roles and user.pk in admins and len(admins) == 1:
        raise Conflict(
            f"{user} is the last active administrator. Make someone else an administrator first.",
            field="roles",
        )
    return user_set_roles(user=user, roles=roles, actor=actor)


def user_role_grant(*, user: User, actor: User, role: str) -> User:
    """Add one role to the user's roles."""
    if role not in Role.values:
        raise InvalidInput(f"Unknown role {role!r}; use one of {', '.join(Role.values)}.")
    return user_roles_update(user=user, actor=actor, roles=[*user.role_names, role])


def user_role_revoke(*, user: User, actor: User, role: str) -> User:
    """Remove one role from the user's roles (the last one cannot be removed)."""
    if role not in Role.values:
        raise InvalidInput(f"Unknown role {role!r}; use one of {', '.join(Role.values)}.")
    return user_roles_update(user=user, actor=actor, roles=user.role_names - {role})


@transaction.atomic
def user_deactivate(
    *, user: User, actor: User | None, reason: str = "", actor_label: str = ""
) -> User:
    """Deactivate an account: it can no longer log in, every session ends at once (on any
    session backend) and its API tokens are revoked. Refused for one's own account and for
    the last active administrator. The person record and all history stay.

    `actor=None` is a directory deactivating the account (SSO, SCIM): no administrator check,
    the audit entry names `actor_label`; the last administrator stays protected."""
    if actor is not None:
        _check_target(user, actor, "deactivate accounts")
        if user.pk == actor.pk:
            raise Conflict("You cannot deactivate your own account; ask another administrator.")
    elif user.organization_id is None:
        raise NotFound("No such user in your organization.")
    admins = _lock_admins(user.org)
    if user.pk in admins and len(admins) == 1:
        raise Conflict(f"{user} is the last active administrator and cannot be deactivated.")
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return user
    user.is_active = False
    user.session_epoch += 1
    user.save(update_fields=["is_active", "session_epoch"])
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit_record(
        organization=user.org,
        actor=actor if actor is not None else (actor_label or "directory"),
        action="permissions.user_deactivated",
        target=user,
        data={"user": user.email, "tokens_revoked": revoked, "reason": reason[:300]},
    )
    return user


@transaction.atomic
def user_reactivate(*, user: User, actor: User) -> User:
    """Let a deactivated account log in again. Its old sessions and API tokens stay dead."""
    _check_target(user, actor, "reactivate accounts")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(
        organization=user.org,
        actor=actor,
        action="permissions.user_reactivated",
        target=user,
        data={"user": user.email},
    )
    return user
