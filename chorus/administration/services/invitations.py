"""Invitations: an administrator (or an HR import, or the operator's CLI) invites an address
with roles; the invitee opens the link, sets a password and gets an account linked to their
person record. Links are signed, expire, can be resent (which invalidates the older link)
and revoked."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from chorus.administration.models import Invitation
from chorus.administration.services.organizations import require_admin, sender_for
from chorus.audit.services import audit_record
from chorus.common.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from chorus.common.middleware import zone_for
from chorus.common.text import format_day, format_when
from chorus.people.models import Organization, Person, User
from chorus.people.roles import Role
from chorus.people.services import user_create

INVITATION_SALT = "chorus.administration.invitation"


class InvitationProblem(Exception):
    """Why an invitation link cannot be used: `invalid`, `expired`, `revoked`, `accepted` or
    `suspended`. The page shows a message per kind (never another organization's data)."""

    def __init__(self, kind: str, invitation: Invitation | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.invitation = invitation


def clean_roles(roles: Iterable[str]) -> list[str]:
    cleaned = sorted({str(r).strip() for r in roles if str(r).strip()})
    unknown = [r for r in cleaned if r not in Role.values]
    if unknown:
        raise InvalidInput(
            f"Unknown role {unknown[0]!r}; use one of {', '.join(Role.values)}.", field="roles"
        )
    if not cleaned:
        raise InvalidInput("Give the person at least one role (employee, at least).", field="roles")
    return cleaned


def clean_email(email: str, *, organization: Organization) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(f"“{email}” is not an e-mail address.", field="email") from None
    domains = organization.verified_domains or []
    domain = email.rsplit("@", 1)[1]
    if domains and not any(domain == d or domain.endswith("." + d) for d in domains):
        raise InvalidInput(
            f"{email} is not at one of your verified domains ({', '.join(domains)}). Invite a "
            "work address, or add the domain under Admin → Organization.",
            field="email",
        )
    return email


def _expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.CHORUS_INVITATION_DAYS)


def invitation_token(invitation: Invitation) -> str:
    return signing.Signer(salt=INVITATION_SALT).sign(f"{invitation.pk}-{invitation.nonce}")


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse(
        "administration-public:invitation", args=[invitation_token(invitation)]
    )


def _schedule_send(invitation: Invitation) -> None:
    from chorus.administration.tasks import invitation_send_task

    transaction.on_commit(partial(invitation_send_task.enqueue, invitation_id=invitation.pk))


@transaction.atomic
def invitation_create(
    *,
    organization: Organization,
    actor: User | None,
    email: str,
    roles: Iterable[str] = (Role.EMPLOYEE,),
    full_name: str = "",
    source: str = "admin",
    send: bool = True,
) -> Invitation:
    """Invite `email` to `organization` with `roles`; the e-mail goes out after commit.

    Refuses an address that already has an account, one outside the verified domains (when
    the organization has any) and one with a pending invitation (resend that instead). An
    expired invitation to the same address is renewed. `actor` None is the operator (CLI);
    an import passes the HR user, who may invite employees only.
    """
    if actor is not None:
        if source == "import":
            if not (actor.has_role(Role.HR) or actor.has_role(Role.ADMIN)):
                raise PermissionDenied("Only HR and administrators can invite imported people.")
        else:
            require_admin(actor, "invite people")
        if actor.organization_id != organization.pk:
            raise NotFound("No such organization.")
    email = clean_email(email, organization=organization)
    roles = clean_roles(roles)
    if source == "import" and roles != [Role.EMPLOYEE]:
        raise InvalidInput("An import invites people as employees only.", field="roles")
    existing_user = User.objects.filter(email__iexact=email).first()
    if existing_user is not None:
        where = (
            "in your organization"
            if existing_user.organization_id == organization.pk
            else "on this installation"
        )
        raise InvalidInput(f"{email} already has an account {where}.", field="email")
    full_name = " ".join((full_name or "").split())[:200]
    open_one = (
        Invitation.objects.select_for_update()
        .filter(
            organization=organization,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        .first()
    )
    if open_one is not None:
        if open_one.expires_at > timezone.now():
            raise Conflict(
                f"{email} was already invited on {format_day(open_one.created_at)} and has not "
                "answered yet. Resend that invitation instead."
            )
        invitation = open_one
        invitation.roles, invitation.full_name = roles, full_name or invitation.full_name
        invitation.nonce, invitation.expires_at = secrets.token_urlsafe(16), _expiry()
        invitation.invited_by, invitation.source = actor, source
        invitation.save()
        action = "people.invitation_renewed"
    else:
        invitation = Invitation.objects.create(
            organization=organization,
            email=email,
            full_name=full_name,
            roles=roles,
            nonce=secrets.token_urlsafe(16),
            invited_by=actor,
            expires_at=_expiry(),
            source=source,
        )
        action = "people.invitation_created"
    audit_record(
        organization=organization,
        actor=actor,
        action=action,
        target=invitation,
        data={"email": email, "roles": roles, "source": source},
    )
    if send:
        _schedule_send(invitation)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: User | None) -> Invitation:
    """Send the invitation again with a fresh link and a new expiry; the old link stops
    working. Accepted or revoked invitations cannot be resent."""
    if actor is not None:
        require_admin(actor, "resend invitations")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise Conflict(f"{invitation.email} already accepted this invitation.")
    if invitation.revoked_at is not None:
        raise Conflict("This invitation was revoked; invite the person again.")
    invitation.nonce = secrets.token_urlsafe(16)
    invitation.expires_at = _expiry()
    invitation.save(update_fields=["nonce", "expires_at", "updated_at"])
    audit_record(
        organization=invitation.organization,
        actor=actor,
        action="people.invitation_resent",
        target=invitation,
        data={"email": invitation.email},
    )
    _schedule_send(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    """Withdraw a pending invitation; its link stops working at once."""
    require_admin(actor, "revoke invitations")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise Conflict(
            f"{invitation.email} already accepted; deactivate the account under Users instead."
        )
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            organization=invitation.organization,
            actor=actor,
            action="people.invitation_revoked",
            target=invitation,
            data={"email": invitation.email},
        )
    return invitation


def invitation_send(*, invitation: Invitation) -> bool:
    """E-mail the invitation link now (the task calls this). False if it is no longer
    pending, so a retried or late job sends nothing stale."""
    if invitation.status != Invitation.Status.PENDING:
        return False
    org = invitation.organization
    inviter = invitation.invited_by.full_name if invitation.invited_by else "Your administrator"
    role_labels = ", ".join(Role(r).label for r in invitation.roles if r in Role.values)
    until = format_when(invitation.expires_at, zone=zone_for(organization=org))
    body = (
        f"Hello{' ' + invitation.full_name if invitation.full_name else ''},\n\n"
        f"{inviter} invites you to {org.name} on Chorus, where you read the social-media "
        f"policy, check posts before you share them and report concerns.\n\n"
        f"Your role: {role_labels}.\n\n"
        f"Open this link to choose your password and sign in:\n{invitation_url(invitation)}\n\n"
        f"The link works until {until}. If you did not expect this e-mail, ignore it.\n"
    )
    send_mail(f"You are invited to {org.name} on Chorus", body, sender_for(org), [invitation.email])
    Invitation.objects.filter(pk=invitation.pk).update(
        sent_at=timezone.now(), send_count=invitation.send_count + 1
    )
    return True


def invitation_resolve(token: str) -> Invitation:
    """The pending invitation for a link token, or InvitationProblem saying why not."""
    try:
        value = signing.Signer(salt=INVITATION_SALT).unsign(token)
        pk, nonce = value.split("-", 1)
        invitation = Invitation.objects.select_related("organization").filter(pk=int(pk)).first()
    except (signing.BadSignature, ValueError):
        raise InvitationProblem("invalid") from None
    if invitation is None or not secrets.compare_digest(invitation.nonce, nonce):
        # A resent invitation has a new nonce: the old link is simply invalid.
        raise InvitationProblem("invalid")
    status = invitation.status
    if status != Invitation.Status.PENDING:
        raise InvitationProblem(status, invitation)
    if invitation.organization.is_suspended:
        raise InvitationProblem("suspended", invitation)
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, full_name: str, password: str) -> User:
    """Create the invitee's account with the invited roles and the chosen password (Django's
    password validators apply), link it to the person record with the same e-mail if there
    is one, and mark the invitation used. A link works once."""
    invitation = invitation_resolve(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise InvitationProblem(invitation.status, invitation)
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise InvalidInput("Enter your name as colleagues know it.", field="full_name")
    candidate = User(email=invitation.email, full_name=full_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="password") from None
    org = invitation.organization
    user = user_create(
        organization=org,
        email=invitation.email,
        full_name=full_name,
        password=password,
        roles=invitation.roles,
        actor=None,
    )
    person = (
        Person.objects.select_for_update()
        .filter(organization=org, email__iexact=invitation.email, user__isnull=True)
        .first()
    )
    if person is not None:
        person.user = user
        person.save(update_fields=["user", "updated_at"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user", "updated_at"])
    audit_record(
        organization=org,
        actor=user,
        action="people.invitation_accepted",
        target=invitation,
        data={"email": user.email, "roles": invitation.roles, "person_linked": bool(person)},
    )
    return user
