"""Reads of the administration app, scoped to the administrator's organization."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from chorus.administration.models import Invitation
from chorus.administration.services.organizations import require_admin
from chorus.common.errors import NotFound
from chorus.people.models import ApiToken, Organization, Person, User
from chorus.people.roles import Role


def user_list_for(*, user: User, q: str = "", status: str = "") -> QuerySet[User]:
    """Accounts of the administrator's organization with their roles, by name."""
    require_admin(user, "manage users")
    users = (
        User.objects.filter(organization_id=user.org_id)
        .prefetch_related("groups")
        .order_by("full_name", "email")
    )
    if q:
        users = users.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "deactivated":
        users = users.filter(is_active=False)
    return users


def user_get(*, user: User, user_id: int) -> User:
    """One account of the administrator's organization (another organization's: NotFound)."""
    require_admin(user, "manage users")
    found = (
        User.objects.filter(organization_id=user.org_id, pk=user_id)
        .prefetch_related("groups", Prefetch("api_tokens", queryset=ApiToken.objects.all()))
        .first()
    )
    if found is None:
        raise NotFound("No such user in your organization.")
    return found


def user_roles(user: User) -> list[str]:
    """Role names from the prefetched groups (no query per row)."""
    return sorted(g.name for g in user.groups.all() if g.name in Role.values)


def invitation_list_for(*, user: User, include_closed: bool = False) -> QuerySet[Invitation]:
    require_admin(user, "manage invitations")
    invitations = Invitation.objects.filter(organization_id=user.org_id).select_related(
        "invited_by"
    )
    if not include_closed:
        invitations = invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
    return invitations.order_by("-created_at")


def invitation_get(*, user: User, invitation_id: int) -> Invitation:
    require_admin(user, "manage invitations")
    invitation = (
        Invitation.objects.filter(organization_id=user.org_id, pk=invitation_id)
        .select_related("organization", "invited_by")
        .first()
    )
    if invitation is None:
        raise NotFound("No such invitation in your organization.")
    return invitation


def organization_list() -> QuerySet[Organization]:
    """Every organization on the installation with its member counts (platform operator)."""
    return Organization.objects.annotate(
        active_users=Count("users", filter=Q(users__is_active=True), distinct=True)
    ).order_by("name")


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: str
    description: str
    done: bool
    detail: str
    url: str
    action: str


def _url(name: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


def checklist_for(*, organization: Organization) -> list[ChecklistItem]:
    """The first steps of a new organization, each done or not as the data says (nothing is
    ticked by hand): invite staff, import people, publish the policy, launch a campaign."""
    members = User.objects.filter(organization=organization, is_active=True).count()
    invited = Invitation.objects.filter(organization=organization).count()
    people = Person.objects.filter(organization=organization).count()
    items = [
        ChecklistItem(
            "invite",
            "Invite your staff",
            "Invite the people who run the programme with you (communications, HR, legal) "
            "and give them their roles.",
            members > 1 or invited > 0,
            f"{members} active account{'s' if members != 1 else ''}, {invited} invitation"
            f"{'s' if invited != 1 else ''} sent",
            _url("administration:users"),
            "Invite people",
        )
    ]
    if apps.is_installed("chorus.onboarding"):
        from chorus.onboarding.models import Campaign, PeopleImport

        imported = PeopleImport.objects.filter(
            organization=organization, applied_at__isnull=False
        ).exists()
        items.append(
            ChecklistItem(
                "import",
                "Import your people",
                "Upload the CSV export of your HR system: names, e-mails, departments and "
                "managers. You can invite everyone who has no account in the same step.",
                imported or people > members,
                f"{people} {'person' if people == 1 else 'people'} on the people list",
                _url("onboarding:import"),
                "Import people",
            )
        )
    if apps.is_installed("chorus.policy"):
        from chorus.policy.selectors import policy_version_current

        current = policy_version_current(organization=organization)
        items.append(
            ChecklistItem(
                "policy",
                "Publish your policy",
                "Review the draft written from your preset, fix what the lints find for your "
                "jurisdictions and publish it.",
                current is not None,
                f"Version {current.number} is in force" if current else "No version published",
                _url("policy:index"),
                "Open policies",
            )
        )
    if apps.is_installed("chorus.onboarding"):
        campaigns = Campaign.objects.filter(organization=organization).count()
        items.append(
            ChecklistItem(
                "campaign",
                "Launch your first attestation campaign",
                "Ask everyone to read and acknowledge the published policy.",
                campaigns > 0,
                f"{campaigns} campaign{'s' if campaigns != 1 else ''} started",
                _url("onboarding:campaign-new"),
                "Start a campaign",
            )
        )
    return items


def checklist_card(user: User) -> dict[str, Any] | None:
    """The dashboard card for administrators while the checklist is not complete."""
    if user.organization_id is None:
        return None
    items = checklist_for(organization=user.org)
    done = sum(item.done for item in items)
    if done == len(items):
        return None
    next_item = next(item for item in items if not item.done)
    return {"done": done, "total": len(items), "next": next_item, "now": timezone.now()}
